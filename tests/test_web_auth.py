"""Users, sessions, API tokens, CSRF, login rate limiting and secrets (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from defcoop.store import Store
from defcoop.store import models as m
from defcoop.store.users import (
    UserError,
    add_user,
    authenticate,
    create_token,
    list_users,
    set_password,
    user_for_token,
)
from defcoop.web.auth import CSRF_COOKIE, SESSION_COOKIE, LoginLimiter

pytest.register_assert_rewrite("web_support")

from web_support import (  # noqa: E402
    PASSWORD,
    SECRET,
    USERS,
    Template,
    bearer,
    client,
    csrf_of,
    first_event_id,
    login,
)

pytest_plugins = ("web_support",)


def test_passwords_and_tokens_are_stored_hashed(store: Store) -> None:
    add_user(store, "kim", "editor", "kims-password-1")
    token, view = create_token(store, "kim", label="ci")
    with store.session() as s:
        u = s.scalar(select(m.User).where(m.User.name == "kim"))
        t = s.scalar(select(m.ApiToken))
        audit = " ".join(str((a.before, a.after)) for a in s.scalars(select(m.AuditEntry)))
    assert u is not None and u.password_hash.startswith("$argon2id$")
    assert "kims-password-1" not in u.password_hash
    assert t is not None and token not in t.token_hash and t.prefix == token[:10]
    assert token not in audit and "kims-password-1" not in audit
    assert authenticate(store, "kim", "kims-password-1") is not None
    assert authenticate(store, "kim", "wrong-password") is None
    assert authenticate(store, "nobody", "kims-password-1") is None
    assert user_for_token(store, token) is not None and user_for_token(store, token + "x") is None
    assert view.prefix == token[:10] and [u.name for u in list_users(store)] == ["kim"]
    for bad in (("kim", "viewer", "other-pass-1"), ("x y", "viewer", None), ("z", "root", None),
                ("w", "viewer", "short")):  # fmt: skip
        with pytest.raises(UserError):
            add_user(store, *bad)


def test_session_cookie_login_and_logout(web_store: Store) -> None:
    c = client(web_store)
    assert c.get("/", follow_redirects=False).headers["location"].startswith("/login?next=")
    page = c.get("/login")
    assert page.status_code == 200
    token = csrf_of(page.text)
    r = c.post("/login", data={"username": "eddie", "password": PASSWORD, "csrf_token": token,
                               "next": "/search"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/search"
    cookies = {h.split("=", 1)[0]: h.lower() for h in r.headers.get_list("set-cookie")}
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        assert "httponly" in cookies[name] and "samesite=lax" in cookies[name], cookies[name]
    assert c.get("/api/me").json() == {"user": "eddie", "role": "editor", "via": "session",
                                       "public": False}  # fmt: skip
    new_token = csrf_of(c.get("/").text)
    assert new_token != token  # a fresh CSRF token at login (no fixation)
    r = c.post("/logout", data={"csrf_token": new_token}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/api/me").json()["user"] is None


def test_login_failures_are_rate_limited(web_store: Store) -> None:
    c = client(web_store)
    token = csrf_of(c.get("/login").text)
    for _ in range(5):
        r = c.post("/login", data={"username": "eddie", "password": "nope", "csrf_token": token})
        assert r.status_code == 401
    r = c.post("/login", data={"username": "eddie", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    # another user from the same address is not locked out by eddie's failures
    r = c.post("/login", data={"username": "vera", "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303


def test_limiter_windows() -> None:
    lim = LoginLimiter(per_user=2, per_ip=3, window=60)
    assert lim.retry_after("ip", "a") is None
    lim.failed("ip", "a")
    lim.failed("ip", "A ")
    assert lim.retry_after("ip", "a") is not None  # same user, case and spaces folded
    assert lim.retry_after("ip", "b") is None
    lim.failed("ip", "b")
    assert lim.retry_after("ip", "c") is not None  # the address is over its limit
    assert lim.retry_after("other", "a") is None
    lim.succeeded("ip", "a")


def test_csrf_is_required_on_forms_and_session_api_calls(
    web_template: Template, web_store: Store
) -> None:
    c = client(web_store)
    eid = first_event_id(web_store)
    # login itself needs the token (no login CSRF)
    assert c.post("/login", data={"username": "eddie", "password": PASSWORD}).status_code == 403
    token = login(c, "editor")
    form = {"field": "location", "value": "東京", "version": ""}
    assert c.post(f"/events/{eid}/correct", data=form).status_code == 403
    assert (
        c.post(f"/events/{eid}/correct", data={**form, "csrf_token": "x" * 43}).status_code == 403
    )
    other = client(web_store)
    other_token = login(other, "admin")
    assert (
        c.post(f"/events/{eid}/correct", data={**form, "csrf_token": other_token}).status_code
        == 403
    )
    r = c.post(f"/events/{eid}/correct", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    # JSON API with the session cookie: the X-CSRF-Token header is needed
    body = {"changes": {"location": "大阪"}}
    r = c.patch(f"/api/events/{eid}", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert (
        c.patch(f"/api/events/{eid}", json=body, headers={"X-CSRF-Token": token}).status_code == 200
    )
    # a bearer token carries no ambient credential: no CSRF token needed
    fresh = client(web_store)
    assert fresh.patch(f"/api/events/{eid}", json={"changes": {"location": "京都"}},
                       headers=bearer(web_template, "editor")).status_code == 200  # fmt: skip


def test_sessions_end_on_tampering_password_change_and_deactivation(web_store: Store) -> None:
    c = client(web_store)
    login(c, "viewer")
    assert c.get("/api/me").json()["user"] == "vera"
    value = c.cookies.get(SESSION_COOKIE)
    assert value
    c.cookies.set(SESSION_COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert c.get("/api/me").json()["user"] is None
    c.cookies.set(SESSION_COOKIE, value)
    assert c.get("/api/me").json()["user"] == "vera"
    set_password(web_store, "vera", "a-brand-new-password")
    assert c.get("/api/me").json()["user"] is None
    # a session signed with another key is not accepted either
    other = client(web_store, secret_key=SECRET + "x")
    other.cookies.set(SESSION_COOKIE, value)
    assert other.get("/api/me").json()["user"] is None


def test_login_next_never_leaves_the_site(web_store: Store) -> None:
    c = client(web_store)
    assert 'name="next" value="/"' in c.get("/login?next=//evil.example/x").text
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        c.cookies.clear()
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "vera", "password": PASSWORD, "csrf_token": token,
                                   "next": target}, follow_redirects=False)  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == "/", target
    r = c.get("/lang/en?next=https://evil.example/", follow_redirects=False)
    assert r.headers["location"] == "/"


def test_private_and_public_servers(web_template: Template, web_store: Store) -> None:
    private, public = client(web_store), client(web_store, public=True)
    assert private.get("/partners/AUS", follow_redirects=False).status_code == 303
    assert private.get("/api/partners/AUS").status_code == 401
    assert public.get("/partners/AUS").status_code == 200
    assert public.get("/api/partners/AUS").status_code == 200
    assert public.get("/audit", follow_redirects=False).status_code == 303  # editor page
    assert public.get("/admin/users", follow_redirects=False).status_code == 303
    eid = first_event_id(web_store)
    assert public.get(f"/events/{eid}").status_code == 200
    token = csrf_of(public.get("/login").text)
    r = public.post(f"/events/{eid}/verify", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    token = login(public, "viewer")
    r = public.post(f"/events/{eid}/verify", data={"csrf_token": token})
    assert r.status_code == 403 and "editor" in r.text


def test_no_secrets_in_logs(
    web_template: Template, web_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = client(web_store)
    token = csrf_of(c.get("/login").text)
    c.post("/login", data={"username": "eddie", "password": "wrong-secret-pw", "csrf_token": token})
    login(c, "editor")
    c.get("/api/events?limit=1", headers=bearer(web_template, "admin"))
    c.get("/api/events?limit=1", headers={"Authorization": "Bearer dc_guessed-token-value"})
    text = caplog.text
    for secret in (PASSWORD, "wrong-secret-pw", web_template.tokens["admin"], "dc_guessed-token-value",
                   SECRET):  # fmt: skip
        assert secret not in text


def test_admin_manages_users_in_the_browser(web_store: Store) -> None:
    c = client(web_store)
    token = login(c, "admin")
    page = c.get("/admin/users")
    assert page.status_code == 200 and all(name in page.text for name in USERS.values())
    r = c.post("/admin/users", data={"csrf_token": token, "name": "nina", "role": "editor",
                                     "password": "ninas-password"})  # fmt: skip
    assert r.status_code == 200 and "nina" in r.text
    r = c.post("/admin/users/nina", data={"csrf_token": token, "action": "token"})
    assert r.status_code == 200
    shown = r.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert shown.startswith("dc_") and user_for_token(web_store, shown).name == "nina"  # type: ignore[union-attr]
    assert c.post("/admin/users/nina", data={"csrf_token": token, "action": "role",
                                             "role": "viewer"}).status_code == 200  # fmt: skip
    assert (
        c.post("/admin/users/nina", data={"csrf_token": token, "action": "deactivate"}).status_code
        == 200
    )
    assert user_for_token(web_store, shown) is None
    r = c.post("/admin/users", data={"csrf_token": token, "name": "nina", "role": "viewer"})
    assert r.status_code == 400 and "exists" in r.text
    viewer = client(web_store)
    login(viewer, "viewer")
    assert viewer.get("/admin/users").status_code == 403


def test_users_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from defcoop.cli import app

    db = f"sqlite:///{tmp_path / 'u.db'}"
    run = CliRunner().invoke
    r = run(app, ["users", "add", "alice", "--role", "editor", "--password-stdin", "--db", db],
            input="alices-password\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run(app, ["users", "add", "alice", "--role", "viewer", "--no-password", "--db", db])
    assert r.exit_code == 1 and "exists" in r.output
    r = run(app, ["users", "add", "bob", "--role", "wizard", "--no-password", "--db", db])
    assert r.exit_code == 1 and "unknown role" in r.output
    r = run(app, ["users", "token", "alice", "--label", "ci", "--db", db])
    assert r.exit_code == 0, r.output
    token = next(line for line in r.output.splitlines() if line.startswith("dc_"))
    r = run(app, ["users", "list", "--json", "--db", db])
    rows = json.loads(r.output)
    assert rows[0]["name"] == "alice" and rows[0]["role"] == "editor" and rows[0]["has_password"]
    assert rows[0]["tokens"][0]["prefix"] == token[:10] and token not in r.output
    with Store.open(db) as store:
        assert authenticate(store, "alice", "alices-password") is not None
        assert user_for_token(store, token).role == "editor"  # type: ignore[union-attr]
    assert run(app, ["users", "role", "alice", "viewer", "--db", db]).exit_code == 0
    assert run(app, ["users", "passwd", "alice", "--password-stdin", "--db", db],
               input="another-password\n").exit_code == 0  # fmt: skip
    assert run(app, ["users", "revoke", str(rows[0]["tokens"][0]["id"]), "--db", db]).exit_code == 0
    assert run(app, ["users", "disable", "alice", "--db", db]).exit_code == 0
    with Store.open(db) as store:
        assert user_for_token(store, token) is None
        assert authenticate(store, "alice", "another-password") is None  # disabled
    assert run(app, ["users", "disable", "alice", "--enable", "--db", db]).exit_code == 0
    with Store.open(db) as store:
        u = authenticate(store, "alice", "another-password")
        assert u is not None and u.role == "viewer"

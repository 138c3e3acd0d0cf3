"""API hardening: schemathesis against the app's own OpenAPI schema, and an authorization
sweep over every write route of the app (API and HTML forms).

* Schemathesis generates requests for every operation of ``/api/openapi.json`` (valid and
  invalid data, as an admin so that every write route runs, on a copy of the ingested
  corpus store) and checks that no response is a 5xx and every response matches the
  schema (status, content type, body).
* The sweep reads the route table of the app itself -- a new write route cannot escape
  it -- and checks that anonymous callers and viewers (by token and by session) are
  refused every write, that a session without its CSRF token is refused, and that
  nothing is written by any refused call.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from sqlalchemy import func, select

from defcoop.store import Store
from defcoop.store import models as m
from defcoop.web import create_app
from defcoop.web.app import route_table

pytest.register_assert_rewrite("web_support")

from web_support import (  # noqa: E402
    SECRET,
    Template,
    bearer,
    client,
    first_event_id,
    login,
)

pytest_plugins = ("web_support",)

#: Cases per operation and generation mode (valid / invalid data): default and heavy run.
EXAMPLES = int(os.environ.get("DEFCOOP_SCHEMATHESIS_EXAMPLES", "10"))
HEAVY_EXAMPLES = int(os.environ.get("DEFCOOP_SCHEMATHESIS_HEAVY", "100"))
CASES: Counter[str] = Counter()
#: What "no 5xx and no schema violation" means, as schemathesis checks.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


# --------------------------------------------------------------------------- schemathesis


@pytest.fixture(scope="module")
def api(shared: tuple[Template, Store]) -> tuple[Any, dict[str, str]]:
    """The app's schema (on a copy of the ingested corpus store, per backend) and the
    headers of an admin, who may call every route."""
    template, store = shared
    app = create_app(store, secret_key=SECRET)
    return schemathesis.openapi.from_asgi("/api/openapi.json", app), bearer(template, "admin")


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if not CASES:
        return
    total = sum(CASES.values())
    print(f"\n[schemathesis] {total} cases over {len(CASES)} operations")
    log = os.environ.get("DEFCOOP_RELIABILITY_LOG")
    if log:
        import json

        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"test": "schemathesis", "cases": total,
                                 "operations": len(CASES)}) + "\n")  # fmt: skip


def _fuzz_operation(op: Any, headers: dict[str, str], mode: Any, examples: int) -> list[str]:
    """Run ``examples`` generated cases against one operation; the failures found."""
    failures: list[str] = []

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        CASES[op.label] += 1
        try:
            case.call_and_validate(headers=dict(headers), checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as err:  # schemathesis' failures
            lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
            failures.append(f"{op.label}: " + " | ".join(lines[:8] or [type(err).__name__]))
            raise

    try:
        run()
    except (AssertionError, BaseExceptionGroup):
        pass  # recorded above (hypothesis re-raises the minimal failing case)
    except Unsatisfiable:
        pass  # no invalid input exists for this operation (e.g. no parameters)
    return failures


def _run_schema(api: tuple[Any, dict[str, str]], examples: int) -> None:
    from schemathesis import GenerationMode

    schema, headers = api
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30, [op.label for op in operations]
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz_operation(op, headers, mode, examples)
    assert not failures, "\n".join(dict.fromkeys(failures))


def test_api_conforms_to_its_schema(api: tuple[Any, dict[str, str]]) -> None:
    _run_schema(api, EXAMPLES)


@pytest.mark.slow
def test_api_conforms_to_its_schema_heavy(api: tuple[Any, dict[str, str]]) -> None:
    _run_schema(api, HEAVY_EXAMPLES)


# --------------------------------------------------------------------------- authorization

#: Write routes anyone may call: signing in and out.
OPEN_WRITES = {("POST", "/login"), ("POST", "/logout")}
#: A body each write route accepts when authorized (so a refusal is not a 400 in disguise).
BODIES: dict[str, dict[str, Any]] = {
    "/api/events/{event_id}": {"changes": {"location": "東京"}, "reason": "r"},
    "/api/events": {"kind": "meeting", "date": "2025-03-01", "partners": ["PHL"], "reason": "r"},
    "/api/events/{event_id}/links": {"framework": "JASMINE", "pillar": 1, "reason": "r"},
    "/api/users": {"name": "intruder", "role": "admin", "password": "long-enough-1"},
    "/api/users/{name}": {"role": "admin"},
    "/api/users/{name}/tokens": {"label": "stolen"},
}
FORMS: dict[str, dict[str, str]] = {
    "/events/new": {"kind": "meeting", "date": "2025-03-01", "partners": "PHL", "reason": "r"},
    "/events/{event_id}/correct": {"field": "location", "value": "東京", "reason": "r"},
    "/events/{event_id}/link": {"framework": "JASMINE", "pillar": "1", "reason": "r"},
    "/events/{event_id}/unlink": {"framework": "JASMINE"},
    "/admin/users": {"name": "intruder", "role": "admin", "password": "long-enough-1"},
    "/admin/users/{name}": {"role": "admin"},
}


def write_routes(store: Store) -> list[tuple[str, str]]:
    app = create_app(store, secret_key=SECRET)
    return [(m_, p) for m_, p in route_table(app) if m_ not in ("GET", "HEAD")]


def _fill(path: str, store: Store) -> str:
    return (
        path.replace("{event_id}", first_event_id(store, framework="JASMINE"))
        .replace("{name}", "vera")
        .replace("{token_id}", "1")
    )


def _snapshot(store: Store) -> tuple[int, ...]:
    with store.session() as s:
        return (
            *tuple(
                s.scalar(select(func.count()).select_from(t)) or 0
                for t in (m.AuditEntry, m.Event, m.User, m.ApiToken, m.EventFrameworkLink)
            ),
            s.scalar(select(func.max(m.Event.version))) or 0,
        )


def _call(c: Any, method: str, template: str, store: Store, **kw: Any) -> Any:
    path = _fill(template, store)
    if template.startswith("/api/"):
        body = BODIES.get(template)
        if body is not None and method != "DELETE":
            kw["json"] = body
        if template.endswith("/links") and method == "DELETE":
            path += "?framework=JASMINE"
    else:
        kw["data"] = {**FORMS.get(template, {"reason": "r"}), **kw.pop("data", {})}
    return c.request(method, path, follow_redirects=False, **kw)


def _refused(resp: Any, what: str) -> None:
    if resp.status_code in (303, 302, 307):  # a page sends the visitor to the login form
        assert "/login" in resp.headers.get("location", ""), (what, resp.headers)
        return
    assert resp.status_code in (401, 403), (what, resp.status_code, resp.text[:200])


def test_every_write_route_refuses_anonymous_and_viewers(
    web_template: Template, web_store: Store
) -> None:
    routes = [r for r in write_routes(web_store) if r not in OPEN_WRITES]
    assert len(routes) >= 15, routes
    before = _snapshot(web_store)
    private, public = client(web_store), client(web_store, public=True)
    viewer_session = client(web_store)
    viewer_csrf = login(viewer_session, "viewer")
    editor_session = client(web_store)
    login(editor_session, "editor")
    checked = 0
    for method, template in routes:
        what = f"{method} {template}"
        _refused(_call(private, method, template, web_store), f"anonymous {what}")
        _refused(_call(public, method, template, web_store), f"anonymous (public) {what}")
        if template.startswith("/api/"):
            resp = _call(private, method, template, web_store,
                         headers=bearer(web_template, "viewer"))  # fmt: skip
            _refused(resp, f"viewer token {what}")
            resp = _call(viewer_session, method, template, web_store,
                         headers={"X-CSRF-Token": viewer_csrf})  # fmt: skip
        else:
            resp = _call(viewer_session, method, template, web_store,
                         data={"csrf_token": viewer_csrf})  # fmt: skip
        _refused(resp, f"viewer session {what}")
        # An editor's session without the CSRF token (a forged cross-site request).
        _refused(_call(editor_session, method, template, web_store), f"no CSRF {what}")
        checked += 1
        assert _snapshot(web_store) == before, f"{what}: a refused call wrote something"
    CASES["authorization sweep"] += checked * 5


def test_editor_token_cannot_manage_users(web_template: Template, web_store: Store) -> None:
    c = client(web_store)
    before = _snapshot(web_store)
    for method, template in write_routes(web_store):
        if "/users" in template:
            resp = _call(c, method, template, web_store, headers=bearer(web_template, "editor"))
            _refused(resp, f"editor {method} {template}")
    assert _snapshot(web_store) == before

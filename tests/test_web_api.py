"""The JSON API on the ingested corpus (SQLite and PostgreSQL): every route for every role,
the query layer's filters through HTTP, error bodies, limits, headers and documentation."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from defcoop.ingest import ingest_paths
from defcoop.query import EventQuery, facets, search_events
from defcoop.store import Store
from defcoop.web import create_app
from defcoop.web.app import route_table

pytest.register_assert_rewrite("web_support")

from web_support import (  # noqa: E402
    CORPUS,
    ROOT,
    USERS,
    Template,
    bearer,
    client,
    first_event_id,
)

pytest_plugins = ("web_support",)

ROLES = ("viewer", "editor", "admin")
RANK = {None: -1, "viewer": 0, "editor": 1, "admin": 2}


@dataclass(frozen=True)
class R:
    """One route call: who may make it and what a successful call returns."""

    method: str
    path: str  # with {eid} / {doc} placeholders
    template: str  # the route's path template in the app
    role: str | None = "viewer"  # None: anyone, even anonymous on a private server
    ok: int = 200
    body: Any = None

    @property
    def writes(self) -> bool:
        return self.method not in ("GET", "HEAD")


READS = [
    R("GET", "/api/health", "/api/health", None),
    R("GET", "/api/me", "/api/me", None),
    R("GET", "/api/docs", "/api/docs", None),
    R("GET", "/api/openapi.json", "/api/openapi.json", None),
    R("GET", "/api/events?partner=PHL&since=2024-01&level=ministers", "/api/events"),
    R("GET", "/api/events/{eid}", "/api/events/{event_id}"),
    R("GET", "/api/events/{eid}/history", "/api/events/{event_id}/history"),
    R("GET", "/api/facets?kind=meeting", "/api/facets"),
    R("GET", "/api/search?q=オーストラリア", "/api/search"),
    R("GET", "/api/partners?region=southeast_asia", "/api/partners"),
    R("GET", "/api/partners/AUS", "/api/partners/{code}"),
    R("GET", "/api/people?role=MOD_MIN&country=JPN", "/api/people"),
    R("GET", "/api/agreements?as_of=2025-04", "/api/agreements"),
    R("GET", "/api/agreements/AUS", "/api/agreements/{partner}"),
    R("GET", "/api/frameworks", "/api/frameworks"),
    R("GET", "/api/frameworks/JASMINE", "/api/frameworks/{name}"),
    R("GET", "/api/documents", "/api/documents"),
    R("GET", "/api/documents/{doc}?kind=heading", "/api/documents/{doc_key}"),
    R("GET", "/api/stats?since=2024", "/api/stats"),
    R("GET", "/api/stats/counts?by=year,kind&partner=AUS", "/api/stats/counts"),
    R("GET", "/api/stats/intensity?top=5", "/api/stats/intensity"),
    R("GET", "/api/stats/network?min_partners=3", "/api/stats/network"),
    R("GET", "/api/export/events.csv?kind=exercise", "/api/export/{table}.{fmt}"),
    R("GET", "/api/export/participants.jsonl?partner=IND", "/api/export/{table}.{fmt}"),
    R("GET", "/api/audit?limit=5", "/api/audit", "editor"),
    R("GET", "/api/users", "/api/users", "admin"),
    R("GET", "/api/users/vera/tokens", "/api/users/{name}/tokens", "admin"),
]
WRITES = [
    R(
        "POST",
        "/api/events/{eid}/verify",
        "/api/events/{event_id}/verify",
        "editor",
        200,
        {"reason": "checked against the source"},
    ),
    R(
        "PATCH",
        "/api/events/{eid}",
        "/api/events/{event_id}",
        "editor",
        200,
        {"changes": {"location": "東京"}, "reason": "the source says so"},
    ),
    R(
        "POST",
        "/api/events/{eid}/reject",
        "/api/events/{event_id}/reject",
        "editor",
        200,
        {"reason": "not an event"},
    ),
    R("POST", "/api/events/{eid}/restore", "/api/events/{event_id}/restore", "editor", 400, {}),
    R(
        "POST",
        "/api/events",
        "/api/events",
        "editor",
        201,
        {"kind": "meeting", "date": "2025-03-01", "partners": ["PHL"], "reason": "added by hand"},
    ),
    R(
        "POST",
        "/api/events/{eid}/links",
        "/api/events/{event_id}/links",
        "editor",
        200,
        {"framework": "JASMINE", "pillar": 1, "reason": "a JASMINE achievement"},
    ),
    R(
        "DELETE",
        "/api/events/{jeid}/links?framework=JASMINE",
        "/api/events/{event_id}/links",
        "editor",
        200,
    ),
    R(
        "POST",
        "/api/users",
        "/api/users",
        "admin",
        201,
        {"name": "newbie", "role": "viewer", "password": "long-enough-1"},
    ),
    R("PATCH", "/api/users/vera", "/api/users/{name}", "admin", 200, {"role": "editor"}),
    R("POST", "/api/users/vera/tokens", "/api/users/{name}/tokens", "admin", 201, {"label": "x"}),
    R("DELETE", "/api/users/vera/tokens/1", "/api/users/{name}/tokens/{token_id}", "admin", 200),
]
ALL = READS + WRITES


def _fill(path: str, store: Store) -> str:
    if "{jeid}" in path:
        path = path.replace("{jeid}", first_event_id(store, framework="JASMINE"))
    if "{eid}" in path:
        path = path.replace("{eid}", first_event_id(store, partner="AUS"))
    if "{doc}" in path:
        path = path.replace("{doc}", store.list_documents()[0].doc_key)
    return path


def _call(c: Any, r: R, store: Store, headers: dict[str, str] | None = None) -> Any:
    kw: dict[str, Any] = {"headers": headers or {}}
    if r.body is not None:
        kw["json"] = r.body
    return c.request(r.method, _fill(r.path, store), **kw)


def _error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, (resp.status_code, resp.text[:300])
    body = resp.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body


# --------------------------------------------------------------------------- coverage


def test_the_route_table_covers_every_api_route(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as store:
        app = create_app(store)
    have = {(m, p) for m, p in route_table(app) if p.startswith("/api/")}
    tested = {(r.method, r.template) for r in ALL}
    assert have - tested == set(), f"API routes without a role test: {sorted(have - tested)}"
    assert tested - have == set(), f"tested routes the app lacks: {sorted(tested - have)}"


def _documented_routes() -> set[tuple[str, str]]:
    doc = (ROOT / "docs" / "api.md").read_text("utf-8")
    return set(re.findall(r"`(GET|POST|PATCH|PUT|DELETE) (/[^`\s]*)`", doc))


def test_every_route_of_the_app_is_in_docs_api_md(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as store:
        app = create_app(store)
    routes = route_table(app)
    assert len(routes) > 50 and ("GET", "/events/{event_id}") in routes
    missing = [r for r in routes if r not in _documented_routes()]
    assert not missing, f"routes missing from docs/api.md: {missing}"


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("r", READS, ids=lambda r: f"{r.method} {r.path}")
def test_read_route_by_role(shared: tuple[Template, Store], r: R) -> None:
    template, store = shared
    private, public = client(store), client(store, public=True)
    anon = _call(private, r, store)
    if r.role is None:
        assert anon.status_code == r.ok, anon.text[:300]
    else:
        _error(anon, 401, "unauthorized")
        assert anon.headers["www-authenticate"] == "Bearer"
        pub = _call(public, r, store)
        if r.role == "viewer":
            assert pub.status_code == r.ok, pub.text[:300]
        else:
            _error(pub, 401)
    for role in ROLES:
        resp = _call(private, r, store, bearer(template, role))
        if RANK[role] >= RANK[r.role]:
            assert resp.status_code == r.ok, (role, resp.text[:300])
        else:
            _error(resp, 403, "forbidden")


@pytest.mark.parametrize("r", WRITES, ids=lambda r: f"{r.method} {r.path}")
def test_write_route_is_refused_below_its_role(
    web_template: Template, web_store: Store, r: R
) -> None:
    private, public = client(web_store), client(web_store, public=True)
    before = facets(web_store).total
    _error(_call(private, r, web_store), 401, "unauthorized")
    _error(_call(public, r, web_store), 401, "unauthorized")
    for role in ROLES:
        if RANK[role] < RANK[r.role]:
            _error(_call(private, r, web_store, bearer(web_template, role)), 403, "forbidden")
    assert facets(web_store).total == before  # nothing was written
    ok = _call(private, r, web_store, bearer(web_template, str(r.role)))
    assert ok.status_code == r.ok, ok.text[:500]
    if r.ok >= 400:
        _error(ok, r.ok)


def test_admin_may_curate_too(web_template: Template, web_store: Store) -> None:
    c = client(web_store)
    eid = first_event_id(web_store)
    r = c.post(f"/api/events/{eid}/verify", json={}, headers=bearer(web_template, "admin"))
    assert r.status_code == 200 and r.json()["changes"][0]["actor"] == USERS["admin"]


# --------------------------------------------------------------------------- events


def test_events_are_the_query_layer_through_http(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    cases = [
        {"partner": "PHL", "since": "2024-01", "level": "ministers"},
        {"partner": "フィリピン"},
        {"partner": "Philippines,AUS"},
        {"region": "southeast_asia", "kind": "exercise"},
        {"group": "ASEAN", "since": "2024"},
        {"service": "msdf"},
        {"role": "MOD_MIN"},
        {"until": "2023-12"},
        {"framework": "JASMINE", "pillar": "2"},
        {"initiative": "乗艦協力"},
        {"state": "all"},
        {"q": "共同訓練"},
        {"text": "Australia"},
        {"doc": store.list_documents()[0].doc_key},
        {"include_merged": "true"},
        {"sort": "-date", "limit": "7", "page": "2"},
    ]
    for params in cases:
        resp = c.get("/api/events", params=params)
        assert resp.status_code == 200, (params, resp.text[:300])
        got = resp.json()
        want = search_events(store, EventQuery.from_mapping(params))
        assert got["total"] == want.total, params
        assert [e["id"] for e in got["items"]] == [e.id for e in want.items], params
    page = c.get("/api/events", params={"sort": "-date", "limit": 5}).json()
    dates = [e["date"] for e in page["items"]]
    assert dates == sorted(dates, reverse=True) and page["pages"] == -(-page["total"] // 5)
    multi = c.get("/api/events?kind=meeting&kind=exercise").json()
    assert {e["kind"] for e in multi["items"]} <= {"meeting", "exercise"}


def test_event_detail_has_evidence_and_source_text(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    eid = first_event_id(store, partner="AUS")
    d = c.get(f"/api/events/{eid}").json()
    assert d["event"]["id"] == eid and d["version"] >= 1 and "history" in d
    ev = d["evidence"][0]
    a, b = ev["quote_in_paragraph"]
    assert ev["paragraph"][a:b] == ev["quote"] and ev["doc_key"] and ev["line"] >= 1
    _error(c.get("/api/events/nope"), 404, "not_found")


def test_bad_requests_have_the_error_body(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    body = _error(c.get("/api/events?kind=bogus"), 422, "validation_error")
    assert body["error"]["message"] == "kind.0: 'bogus' is not an accepted value (see /api/docs)"
    _error(c.get("/api/events?since=yesterday"), 422, "validation_error")
    _error(c.get("/api/events?partner=Atlantis"), 400, "bad_query")
    _error(c.get("/api/events?since=2025-02-30"), 400, "bad_query")
    _error(c.get("/api/events?colour=red"), 400, "bad_query")
    _error(c.get("/api/events?limit=5000"), 422, "validation_error")
    body = _error(c.get("/api/events?page=0"), 422, "validation_error")
    assert body["error"]["details"][0]["loc"][-1] == "page"
    _error(c.get("/api/agreements?as_of=2025-13"), 422)
    _error(c.get("/api/stats/counts?by=colour"), 422, "validation_error")
    _error(c.get("/api/partners/XXX"), 404, "not_found")
    _error(c.get("/api/frameworks/NOPE"), 404)
    _error(c.get("/api/documents/none"), 404)
    _error(c.get("/api/export/events.xml"), 422)
    _error(c.delete("/api/events"), 405, "method_not_allowed")
    _error(c.get("/api/nothing/here"), 404)
    _error(c.get("/api/search"), 422)


def test_request_size_is_limited(web_template: Template, web_store: Store) -> None:
    c = client(web_store, max_body=10_000)
    big = {"kind": "meeting", "partners": ["PHL"], "summary": "x" * 20_000}
    auth = bearer(web_template, "editor")
    _error(c.post("/api/events", json=big, headers=auth), 413, "payload_too_large")

    def chunks() -> Any:  # no Content-Length: counted while reading
        yield b'{"kind": "meeting", "partners": ["PHL"], "summary": "'
        for _ in range(30):
            yield b"y" * 1000
        yield b'"}'

    r = c.post(
        "/api/events", content=chunks(), headers={**auth, "content-type": "application/json"}
    )
    _error(r, 413, "payload_too_large")
    assert facets(web_store, state="manual").total == 0
    default = client(web_store)
    huge = default.post("/api/events", content=b"0" * 1_100_000, headers=auth)
    _error(huge, 413)


def test_security_headers_on_every_kind_of_response(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    for path in ("/api/events?limit=1", "/api/nothing", "/", "/static/app.css", "/nothing",
                 "/api/openapi.json", "/api/events?kind=bogus"):  # fmt: skip
        h = c.get(path).headers
        csp = h["content-security-policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                          "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):  # fmt: skip
            assert directive in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["x-content-type-options"] == "nosniff", path
        assert h["referrer-policy"] and h["x-frame-options"] == "DENY", path


# --------------------------------------------------------------------------- curation


def test_correction_is_audited_versioned_and_survives_reingest(
    web_template: Template, web_store: Store, tmp_path: Path
) -> None:
    c = client(web_store)
    auth = bearer(web_template, "editor")
    eid = first_event_id(web_store, partner="AUS", kind="meeting")
    before = c.get(f"/api/events/{eid}", headers=auth).json()
    v = before["version"]
    r = c.patch(f"/api/events/{eid}", headers=auth,
                json={"version": v, "changes": {"location": "キャンベラ", "modality": "video"},
                      "reason": "per the ministry's release"})  # fmt: skip
    assert r.status_code == 200, r.text
    res = r.json()
    assert [ch["field"] for ch in res["changes"]] == ["location", "modality"]
    assert res["version"] > v
    # a second editor still holding the old version is refused, with a clear message
    stale = c.patch(f"/api/events/{eid}", headers=auth,
                    json={"version": v, "changes": {"location": "シドニー"}})  # fmt: skip
    body = _error(stale, 409, "stale_edit")
    assert "stale edit refused" in body["error"]["message"]
    # a bad value is refused before anything is written
    _error(c.patch(f"/api/events/{eid}", headers=auth,
                   json={"changes": {"location": "x", "date": "someday"}}), 400, "curation_error")  # fmt: skip
    after = c.get(f"/api/events/{eid}", headers=auth).json()
    assert after["event"]["location"] == "キャンベラ" and after["event"]["modality"] == "video"
    assert after["event"]["state"] == "corrected"
    hist = c.get(f"/api/events/{eid}/history", headers=auth).json()
    assert {(h["field"], h["after"], h["actor"]) for h in hist} >= {
        ("location", "キャンベラ", USERS["editor"]),
        ("modality", "video", USERS["editor"]),
    }
    audit = c.get("/api/audit", params={"entity_id": eid}, headers=auth).json()
    assert len(audit) == len(hist)
    # re-ingest a changed version of the document: the correction is kept
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    doc = corpus / f"{after['event']['doc_key']}.txt"
    doc.write_text(doc.read_text("utf-8") + "\n追記。\n", "utf-8")
    report = ingest_paths(web_store, [corpus])
    assert report.count("updated") == 1, report.to_dict()["documents"]
    again = c.get(f"/api/events/{eid}", headers=auth).json()
    assert again["event"]["location"] == "キャンベラ" and again["event"]["modality"] == "video"


def test_add_reject_restore_and_verify(web_template: Template, web_store: Store) -> None:
    c = client(web_store)
    auth = bearer(web_template, "editor")
    r = c.post("/api/events", headers=auth, json={
        "kind": "meeting", "date": "2025-03-01", "partners": ["フィリピン"], "jp_role": "MOD_MIN",
        "location": "マニラ", "reason": "press release"})  # fmt: skip
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    d = c.get(f"/api/events/{eid}", headers=auth).json()
    assert d["event"]["state"] == "manual" and d["event"]["partners"] == ["PHL"]
    _error(c.post("/api/events", headers=auth, json={"kind": "party", "partners": ["PHL"]}), 422)
    _error(c.post("/api/events", headers=auth, json={"kind": "visit", "partners": ["ZZZ"]}), 400)
    _error(c.post("/api/events", headers=auth, json={"kind": "meeting", "partners": []}), 422)
    target = first_event_id(web_store, partner="PHL")
    assert (
        c.post(f"/api/events/{target}/reject", headers=auth, json={"reason": "dup"}).status_code
        == 200
    )
    ids = [
        e["id"] for e in c.get("/api/events?partner=PHL&limit=1000", headers=auth).json()["items"]
    ]
    assert target not in ids
    assert c.post(f"/api/events/{target}/restore", headers=auth, json={}).status_code == 200
    v = c.get(f"/api/events/{target}", headers=auth).json()["version"]
    r = c.post(
        f"/api/events/{target}/verify", headers=auth, json={"version": v, "fields": ["date"]}
    )
    assert r.status_code == 200 and r.json()["changes"][0]["action"] == "verify"
    _error(c.post("/api/events/nope/verify", headers=auth, json={}), 404)
    _error(c.post(f"/api/events/{target}/verify", headers=auth, json={"bogus": 1}), 422)


# --------------------------------------------------------------------------- other reads


def test_agreements_partners_frameworks_and_exports(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    rows = {r["partner"]: r for r in c.get("/api/agreements?as_of=2025-04").json()["rows"]}
    assert rows["AUS"]["RAA"] == "in_force" and rows["AUS"]["ACSA"] == "in_force"
    assert rows["PHL"]["RAA"] in ("signed", "in_force")
    hist = c.get("/api/agreements/AUS").json()
    assert hist["history"] and all(h["partner"] == "AUS" for h in hist["history"])
    prof = c.get("/api/partners/オーストラリア").json()
    assert prof["code"] == "AUS" and prof["name_en"] == "Australia" and prof["counts"]["total"] > 0
    jasmine = c.get("/api/frameworks/JASMINE").json()
    assert [p["number"] for p in jasmine["pillars"]] == [1, 2, 3, 4]
    assert any(p["achievements"] for p in jasmine["pillars"])
    assert {f["id"] for f in c.get("/api/frameworks").json()} >= {"JASMINE", "FOIP"}
    total = search_events(store, EventQuery.build(kind="exercise")).total
    r = c.get("/api/export/events.csv?kind=exercise")
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="defcoop-events.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == total and {row["kind"] for row in rows} == {"exercise"}
    assert "event_id" in rows[0] and "cameo_root" in rows[0]
    lines = c.get("/api/export/events.jsonl?kind=exercise").text.splitlines()
    assert len(lines) == total and all(json.loads(x)["kind"] == "exercise" for x in lines)
    for path in ("/api/export/events.parquet?partner=AUS", "/api/export/agreements.xlsx",
                 "/api/export/evidence.jsonl?partner=AUS"):  # fmt: skip
        r = c.get(path)
        assert r.status_code == 200 and len(r.content) > 100, path
    counts = c.get("/api/stats/counts?by=year").json()
    assert sum(r["count"] for r in counts) == facets(store).total
    hits = c.get("/api/search", params={"q": "Australia"}).json()
    assert hits["events"]["total"] > 0
    hits = c.get("/api/search", params={"q": "防衛大臣"}).json()
    assert hits["segments"] and all("防衛大臣" in s["text"] for s in hits["segments"])


def test_openapi_and_docs_page_have_no_cdn(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store)
    schema = c.get("/api/openapi.json").json()
    assert "/api/events" in schema["paths"] and schema["info"]["title"] == "defcoop"
    assert "ErrorBody" in schema["components"]["schemas"]
    page = c.get("/api/docs").text
    for path in schema["paths"]:
        assert path in page
    assert not re.search(r"<(script|link)[^>]+(https?:)?//", page)
    assert c.get("/docs").status_code in (401, 303, 404) or "swagger" not in c.get("/docs").text


# --------------------------------------------------------------------------- users


def test_users_and_tokens_via_the_api(web_template: Template, web_store: Store) -> None:
    c = client(web_store)
    admin = bearer(web_template, "admin")
    r = c.post(
        "/api/users",
        headers=admin,
        json={"name": "otto", "role": "editor", "password": "otto-pass-1"},
    )
    assert r.status_code == 201 and r.json()["role"] == "editor" and "otto-pass-1" not in r.text
    _error(
        c.post("/api/users", headers=admin, json={"name": "otto", "role": "viewer"}),
        409,
        "conflict",
    )
    _error(c.post("/api/users", headers=admin, json={"name": "x", "role": "god"}), 422)
    _error(c.post("/api/users", headers=admin, json={"name": "y", "password": "short"}), 422)
    tok = c.post("/api/users/otto/tokens", headers=admin, json={"label": "script"}).json()
    otto = {"Authorization": f"Bearer {tok['token']}"}
    assert c.get("/api/me", headers=otto).json() == {
        "user": "otto",
        "role": "editor",
        "via": "token",
        "public": False,
    }
    assert (
        c.patch("/api/users/otto", headers=admin, json={"role": "viewer"}).json()["role"]
        == "viewer"
    )
    eid = first_event_id(web_store)
    _error(c.post(f"/api/events/{eid}/verify", headers=otto, json={}), 403)
    c.delete(f"/api/users/otto/tokens/{tok['info']['id']}", headers=admin)
    _error(c.get("/api/events", headers=otto), 401)
    _error(c.get("/api/users/ghost/tokens", headers=admin), 404)
    _error(c.delete("/api/users/vera/tokens/99", headers=admin), 404)
    # a deactivated user's token stops working
    _error(c.get("/api/events", headers={"Authorization": "Bearer dc_not-a-token"}), 401)
    c.patch("/api/users/vera", headers=admin, json={"active": False})
    _error(c.get("/api/events", headers=bearer(web_template, "viewer")), 401)
    _error(c.get("/api/events", headers={"Authorization": "Basic abc"}), 401)

"""The JSON API under ``/api/``: thin routes over the query layer, the knowledge base's
curation API and the user store. Every route and its role is listed in ``docs/api.md``.

Reads need the ``viewer`` role (anonymous when the app is public), curation ``editor``,
user management ``admin``. Write routes called with the browser session need the
``X-CSRF-Token`` header; bearer-token calls do not.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path as Path_
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints
from starlette.background import BackgroundTask
from starlette.datastructures import MultiDict
from starlette.exceptions import HTTPException

from defcoop import exports
from defcoop.extract.partners import REGIONS
from defcoop.kb import curation
from defcoop.kb import frameworks as kbf
from defcoop.kb.agreements import MATRIX_TYPES, check_date
from defcoop.query import (
    ALL_LEVELS,
    KINDS,
    SERVICES,
    SORT_KEYS,
    EventQuery,
    QueryError,
    facets,
    get_event,
    search_events,
)
from defcoop.query.analytics import DIMENSIONS
from defcoop.query.levels import ROLE_CODES as LEVEL_ROLES
from defcoop.query.model import DEFAULT_LIMIT
from defcoop.records import BLOCK_KINDS
from defcoop.store import Store
from defcoop.store import users as user_store
from defcoop.store.models.base import CURATION_STATES
from defcoop.web.auth import CSRF_HEADER, SAFE_METHODS, Auth, Principal
from defcoop.web.i18n import partner_name

#: Largest page the API serves (exports give every row).
API_MAX_LIMIT = 1000
MAX_PAGE = 1_000_000


def _words(values: Any, *, fold: bool = False, empty: bool = True) -> str:
    """A pattern for one value of ``values`` or a comma list of them (``fold``: in any
    case; ``empty``: the empty string, which means "no filter", too)."""
    alt = "|".join(sorted({str(v) for v in values}, key=len, reverse=True))
    body = f"({alt})(,({alt}))*"
    if empty:
        body = f"({body})?"
    return f"^(?i:{body})$" if fold else f"^{body}$"


DATE_PATTERN = r"^([1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)?$"
KIND_PATTERN = _words(KINDS)
LEVEL_PATTERN = _words(
    [*ALL_LEVELS, "leader", "pm", "minister", "vice_minister", "vice", "chief_of_staff",
     "chiefs", "chods", "official", "unit", "none"], fold=True,
)  # fmt: skip
SERVICE_PATTERN = _words(
    [*SERVICES, "jsdf", "js", "ground", "army", "maritime", "navy", "air", "air_force"],
    fold=True,
)
STATE_PATTERN = _words([*CURATION_STATES, "all"])
SORT_PATTERN = rf"^([-+]?({'|'.join(SORT_KEYS)}))?$"
REGION_PATTERN = _words(REGIONS, fold=True)
ONE_REGION_PATTERN = "^(?i:(" + "|".join(REGIONS) + ")?)$"
ROLE_PATTERN = _words(LEVEL_ROLES, fold=True)
# (the query layer also accepts these spellings of levels and services)
DIMENSION_PATTERN = _words(DIMENSIONS, empty=False)
BLOCK_PATTERN = r"^(" + "|".join(BLOCK_KINDS) + r")$"
ROLE_NAMES = "^(" + "|".join(user_store.ROLES) + ")$"
AGREEMENT_TYPE_PATTERN = r"^(?i:" + "|".join(curation.AGREEMENT_TYPES) + r")$"


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable code: not_found, bad_query, stale_edit...")
    message: str = Field(description="What went wrong, for people.")


class ErrorBody(BaseModel):
    error: ErrorDetail


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Bad filter or value",
        401: "Not authenticated",
        403: "Role too low, or CSRF token missing",
        404: "Not found",
        409: "Stale edit: the record changed since it was loaded",
        413: "Request body too large",
        422: "Request not valid",
        429: "Too many requests",
        501: "Not available in this version",
    }
    return {c: {"model": ErrorBody, "description": text.get(c, "Error")} for c in codes}


READ_ERRORS = _errors(400, 401, 403, 422)
WRITE_ERRORS = _errors(400, 401, 403, 404, 409, 413, 422)

router = APIRouter(prefix="/api", responses=_errors(413, 500))


# --------------------------------------------------------------------------- plumbing


def _auth(request: Request) -> Auth:
    return request.app.state.auth


def _store(request: Request) -> Store:
    return request.app.state.store


def _role(role: str) -> Any:
    def dep(request: Request) -> Principal:
        auth = _auth(request)
        p = auth.require(request, role)
        if request.method not in SAFE_METHODS:
            auth.check_csrf(request, request.headers.get(CSRF_HEADER))
        return p

    dep.__name__ = f"require_{role}"
    return dep


Viewer = Annotated[Principal, Depends(_role("viewer"))]
Editor = Annotated[Principal, Depends(_role("editor"))]
Admin = Annotated[Principal, Depends(_role("admin"))]


def filters_from(request: Request, *, exclude: tuple[str, ...] = ()) -> EventQuery:
    """``EventQuery.from_mapping`` over the query string, minus the route's own parameters."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in exclude]
    return EventQuery.from_mapping(MultiDict(pairs))


def _page_query(request: Request) -> EventQuery:
    q = filters_from(request)
    if "limit" not in request.query_params:
        q = q.replace(limit=DEFAULT_LIMIT)
    if q.limit is None or q.limit > API_MAX_LIMIT:
        raise QueryError(f"limit: at most {API_MAX_LIMIT} per page (exports give every row)")
    return q


def event_filter_params(
    q: Annotated[str | None, Query(description="Alias of `text`.")] = None,
    text: Annotated[
        str | None,
        Query(description="Words that must all occur in the source paragraph, or name a partner."),
    ] = None,
    partner: Annotated[
        list[str] | None,
        Query(
            description="Partner code (PHL), Japanese or English name; repeat or comma-separate."
        ),
    ] = None,
    region: Annotated[
        list[Annotated[str, StringConstraints(pattern=REGION_PATTERN)]] | None,
        Query(description="Registry region (southeast_asia...)."),
    ] = None,
    group: Annotated[
        list[str] | None, Query(description="ASEAN, NATO, QUAD...: resolved on the event date.")
    ] = None,
    kind: Annotated[
        list[Annotated[str, StringConstraints(pattern=KIND_PATTERN)]] | None,
        Query(description="Event kinds (meeting, exercise...)."),
    ] = None,
    level: Annotated[
        list[Annotated[str, StringConstraints(pattern=LEVEL_PATTERN)]] | None,
        Query(
            description="leaders, ministers, vice_ministers, chiefs_of_staff, officials, units, "
            "unspecified."
        ),
    ] = None,
    service: Annotated[
        list[Annotated[str, StringConstraints(pattern=SERVICE_PATTERN)]] | None,
        Query(description="joint, gsdf, msdf, asdf."),
    ] = None,
    role: Annotated[
        list[Annotated[str, StringConstraints(pattern=ROLE_PATTERN)]] | None,
        Query(description="jp_role codes (MOD_MIN...)."),
    ] = None,
    since: Annotated[
        str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.", pattern=DATE_PATTERN)
    ] = None,
    until: Annotated[
        str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.", pattern=DATE_PATTERN)
    ] = None,
    framework: Annotated[
        str | None, Query(description="Achievements of a framework (JASMINE).")
    ] = None,
    pillar: Annotated[
        int | None, Query(ge=1, le=99, description="Pillar number (framework default JASMINE).")
    ] = None,
    initiative: Annotated[str | None, Query(description="Initiative name (substring).")] = None,
    state: Annotated[
        list[Annotated[str, StringConstraints(pattern=STATE_PATTERN)]] | None,
        Query(description="Curation states; default all but rejected; `all`."),
    ] = None,
    doc: Annotated[list[str] | None, Query(description="Document keys.")] = None,
    include_merged: Annotated[
        bool | None, Query(description="Include reports merged into another event.")
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            description="date, kind, state, doc, updated, id; `-` prefix: descending.",
            pattern=SORT_PATTERN,
        ),
    ] = None,
    page: Annotated[int | None, Query(ge=1, le=MAX_PAGE, description="1-based page.")] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=API_MAX_LIMIT, description="Rows per page (default 50).")
    ] = None,
) -> None:
    """Every filter of ``EventQuery``, declared for the OpenAPI schema and validation; the
    query itself is built from the query string by ``EventQuery.from_mapping``."""
    return None


FilterParams = Annotated[None, Depends(event_filter_params)]


def event_filters(request: Request, _params: FilterParams) -> EventQuery:
    return _page_query(request)


Filters = Annotated[EventQuery, Depends(event_filters)]


def _resolve_kb(store: Store) -> None:
    """Refresh merges, tenures and axes after a change (as ``defcoop curate`` does)."""
    from defcoop.kb.resolve import resolve

    resolve(store)


def _detail(store: Store, event_id: str) -> dict[str, Any]:
    d = get_event(store, event_id)
    if d is None:
        raise HTTPException(404, f"no event {event_id}")
    out = d.to_dict()
    out["history"] = [
        c.to_dict() for c in curation.audit_log(store, entity="event", entity_id=event_id)
    ]
    return out


# --------------------------------------------------------------------------- basics


@router.get("/health", tags=["meta"], summary="Liveness: always 200, no authentication")
def health() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/me", tags=["meta"], summary="Who you are: user, role and how you authenticated",
            responses=READ_ERRORS)  # fmt: skip
def me(request: Request) -> dict[str, Any]:
    p = _auth(request).principal(request)
    return {
        "user": p.name,
        "role": p.role,
        "via": p.via,
        "public": p.public,
    }


@router.get("/docs", tags=["meta"], summary="This API's route list as a page (no CDN)",
            response_class=HTMLResponse, responses=_errors(401))  # fmt: skip
def api_docs(request: Request) -> HTMLResponse:
    from defcoop.web.i18n import request_lang

    request_lang(request)
    schema = request.app.openapi()
    routes = []
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            routes.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        (p["name"], p.get("in", ""), p.get("description", ""))
                        for p in op.get("parameters", [])
                    ],
                    "body": "requestBody" in op,
                    "tags": op.get("tags", []),
                }
            )
    return request.app.state.render.page(
        request, "api_docs.html", {"routes": routes, "info": schema.get("info", {})}
    )


# --------------------------------------------------------------------------- events


@router.get("/events", tags=["events"], summary="Events matching the filters, one page",
            responses=READ_ERRORS)  # fmt: skip
def list_events(request: Request, _p: Viewer, q: Filters) -> dict[str, Any]:
    return search_events(_store(request), q).to_dict()


@router.get("/events/{event_id}", tags=["events"],
            summary="One event: fields, participants, evidence spans with the source paragraph, "
                    "framework links, curation state and history",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def event_detail(
    request: Request, _p: Viewer, event_id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    return _detail(_store(request), event_id)


@router.get("/events/{event_id}/history", tags=["events"],
            summary="Audit-log entries of one event, newest first",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def event_history(
    request: Request, _p: Viewer, event_id: Annotated[str, Path(max_length=64)]
) -> list[dict[str, Any]]:
    store = _store(request)
    if get_event(store, event_id) is None:
        raise HTTPException(404, f"no event {event_id}")
    return [c.to_dict() for c in curation.audit_log(store, entity="event", entity_id=event_id)]


@router.get("/facets", tags=["events"],
            summary="Counts of the matching events by kind, partner, year, level and state",
            responses=READ_ERRORS)  # fmt: skip
def event_facets(request: Request, _p: Viewer, q: Filters) -> dict[str, Any]:
    return facets(_store(request), q).to_dict()


@router.get("/search", tags=["events"],
            summary="Free-text search (Japanese or English): matching events and paragraphs",
            responses=READ_ERRORS)  # fmt: skip
def search(
    request: Request,
    _p: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words, all required.")],
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=API_MAX_LIMIT)] = DEFAULT_LIMIT,
) -> dict[str, Any]:
    store = _store(request)
    events = search_events(store, EventQuery.build(text=q, page=page, limit=limit, sort="-date"))
    segments = store.search_segments(q, limit=50)
    return {"q": q, "events": events.to_dict(), "segments": [s.to_dict() for s in segments]}


# --------------------------------------------------------------------------- curation


class VerifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(
        default=None, description="The version you loaded (stale edits are refused)."
    )
    reason: str | None = Field(default=None, max_length=2000)
    fields: list[str] | None = Field(default=None, description="Verify only these fields or axes.")


class CorrectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(
        default=None, description="The version you loaded (stale edits are refused)."
    )
    reason: str | None = Field(default=None, max_length=2000)
    changes: dict[str, str | int | list[str] | None] = Field(
        min_length=1,
        description="field -> new value (null clears); partners as a list or comma string.",
    )


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(
        default=None, description="The version you loaded (stale edits are refused)."
    )
    reason: str | None = Field(default=None, max_length=2000)


class AddEventBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(pattern="^(" + "|".join(curation.EVENT_KINDS) + ")$")
    date: str | None = Field(default=None, pattern=DATE_PATTERN)
    partners: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1
    )
    end: str | None = None
    jp_role: str | None = None
    jp_name: str | None = None
    modality: str | None = None
    location: str | None = None
    occasion: str | None = None
    agreement_type: str | None = None
    agreement_status: str | None = None
    agreement_name: str | None = None
    count: int | None = None
    summary: str | None = Field(default=None, max_length=5000)
    source_doc: str | None = None
    source_quote: str | None = Field(default=None, max_length=5000)
    reason: str | None = Field(default=None, max_length=2000)


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    framework: str = Field(default="JASMINE", max_length=64)
    pillar: int | None = Field(default=None, ge=1, le=99)
    initiative: str | None = Field(
        None, max_length=500, description="Initiative or cooperation area name."
    )
    reason: str | None = Field(default=None, max_length=2000)


def apply_corrections(
    store: Store, event_id: str, changes: dict[str, Any], *, user: str, reason: str | None,
    version: int | None,
) -> curation.CurationResult:  # fmt: skip
    """Correct several fields of an event: all values are checked first, then applied in
    order (each change audited; the version is checked on the first)."""
    if not changes:
        raise curation.CurationError("no change given")
    table = curation.FIELDS["event"]
    for fld, value in changes.items():
        if fld not in table:
            raise curation.CurationError(
                f"event: field {fld!r} cannot be corrected (one of: {', '.join(table)})"
            )
        table[fld](value)
    result: curation.CurationResult | None = None
    expected = version
    all_changes: list[curation.Change] = []
    for fld, value in changes.items():
        result = curation.correct(
            store, "event", event_id, fld, value, user=user, reason=reason,
            expected_version=expected,
        )  # fmt: skip
        all_changes.extend(result.changes)
        expected = result.version if expected is not None else None
    assert result is not None
    result.changes = all_changes
    return result


def _done(
    store: Store, result: curation.CurationResult, event_id: str | None = None
) -> dict[str, Any]:
    _resolve_kb(store)
    out = result.to_dict()
    if event_id is not None:
        d = get_event(store, event_id)
        out["version"] = d.version if d else result.version
    return out


@router.post("/events/{event_id}/verify", tags=["curation"],
             summary="Verify an event (whole, or some fields/axes); editor",
             responses=WRITE_ERRORS)  # fmt: skip
def verify_event(
    request: Request, p: Editor, event_id: Annotated[str, Path(max_length=64)],
    body: Annotated[VerifyBody, Body()] = VerifyBody(),
) -> dict[str, Any]:  # fmt: skip
    store = _store(request)
    res = curation.verify(store, "event", event_id, user=str(p.name), reason=body.reason,
                          fields=body.fields, expected_version=body.version)  # fmt: skip
    return _done(store, res, event_id)


@router.patch("/events/{event_id}", tags=["curation"],
              summary="Correct fields of an event; editor",
              responses=WRITE_ERRORS)  # fmt: skip
def correct_event(
    request: Request, p: Editor, event_id: Annotated[str, Path(max_length=64)], body: CorrectBody
) -> dict[str, Any]:
    store = _store(request)
    res = apply_corrections(store, event_id, dict(body.changes), user=str(p.name),
                            reason=body.reason, version=body.version)  # fmt: skip
    return _done(store, res, event_id)


@router.post("/events/{event_id}/reject", tags=["curation"],
             summary="Reject an event (never counted, never resurrected); editor",
             responses=WRITE_ERRORS)  # fmt: skip
def reject_event(
    request: Request, p: Editor, event_id: Annotated[str, Path(max_length=64)],
    body: Annotated[ReasonBody, Body()] = ReasonBody(),
) -> dict[str, Any]:  # fmt: skip
    store = _store(request)
    res = curation.reject(store, "event", event_id, user=str(p.name), reason=body.reason,
                          expected_version=body.version)  # fmt: skip
    return _done(store, res, event_id)


@router.post("/events/{event_id}/restore", tags=["curation"],
             summary="Undo a rejection; editor", responses=WRITE_ERRORS)  # fmt: skip
def restore_event(
    request: Request, p: Editor, event_id: Annotated[str, Path(max_length=64)],
    body: Annotated[ReasonBody, Body()] = ReasonBody(),
) -> dict[str, Any]:  # fmt: skip
    store = _store(request)
    res = curation.restore(store, "event", event_id, user=str(p.name), reason=body.reason,
                           expected_version=body.version)  # fmt: skip
    return _done(store, res, event_id)


@router.post("/events", tags=["curation"], status_code=201,
             summary="Add an event by hand (state manual); editor",
             responses=WRITE_ERRORS)  # fmt: skip
def add_event(request: Request, p: Editor, body: AddEventBody) -> dict[str, Any]:
    store = _store(request)
    fields = body.model_dump()
    reason = fields.pop("reason")
    res = curation.add_event(store, user=str(p.name), reason=reason, **fields)
    return _done(store, res, res.id)


@router.post("/events/{event_id}/links", tags=["curation"],
             summary="Link an event to a framework / pillar / initiative by hand; editor",
             responses=WRITE_ERRORS)  # fmt: skip
def link_event(
    request: Request, p: Editor, event_id: Annotated[str, Path(max_length=64)], body: LinkBody
) -> dict[str, Any]:
    store = _store(request)
    res = kbf.add_link(store, event_id, body.framework, body.pillar, body.initiative,
                       user=str(p.name), reason=body.reason)  # fmt: skip
    return res.to_dict()


@router.delete("/events/{event_id}/links", tags=["curation"],
               summary="Remove an event's links to a framework (one pillar, one initiative); editor",
               responses=WRITE_ERRORS)  # fmt: skip
def unlink_event(
    request: Request,
    p: Editor,
    event_id: Annotated[str, Path(max_length=64)],
    framework: Annotated[str, Query(max_length=64)] = "JASMINE",
    pillar: Annotated[int | None, Query(ge=1, le=99)] = None,
    initiative: Annotated[str | None, Query(max_length=500)] = None,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> dict[str, Any]:
    store = _store(request)
    res = kbf.remove_link(store, event_id, framework, pillar, initiative, user=str(p.name),
                          reason=reason)  # fmt: skip
    return res.to_dict()


@router.get("/audit", tags=["curation"], summary="The audit log, newest first; editor",
            responses=READ_ERRORS)  # fmt: skip
def audit(
    request: Request,
    _p: Editor,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=API_MAX_LIMIT)] = 100,
) -> list[dict[str, Any]]:
    if entity and entity not in curation.ENTITIES:
        rows = [
            c for c in curation.audit_log(_store(request), entity_id=entity_id, actor=actor)
            if c.entity == entity
        ][:limit]  # fmt: skip
    else:
        rows = curation.audit_log(_store(request), entity=entity, entity_id=entity_id,
                                  actor=actor, limit=limit)  # fmt: skip
    return [c.to_dict() for c in rows]


# --------------------------------------------------------------------------- partners, people


def partner_code(code: str) -> str:
    from defcoop.extract.partners import registry

    reg = registry()
    p = reg.get(code) or (reg.get(c) if (c := reg.lookup(code)) else None)
    if p is None or p.is_self:
        raise HTTPException(404, f"no partner {code!r}")
    return p.code


@router.get("/partners", tags=["partners"],
            summary="Partners with their event counts (registry as stored)",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def partners(
    request: Request,
    _p: Viewer,
    region: Annotated[str | None, Query(pattern=ONE_REGION_PATTERN)] = None,
    kind: Annotated[str | None, Query(pattern="^(country|organization|group|org)$")] = None,
    group: Annotated[str | None, Query(max_length=32)] = None,
    as_of: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
) -> list[dict[str, Any]]:
    from defcoop.kb.registry import list_partners

    store = _store(request)
    counts = facets(store).partner
    rows = list_partners(store, region=region, kind=kind, group=group, as_of=as_of)
    return [{**p.to_dict(), "events": counts.get(p.code, 0)} for p in rows]


def partner_profile(request: Request, code: str) -> dict[str, Any]:
    from defcoop.extract.partners import registry
    from defcoop.kb.registry import groups_of

    store = _store(request)
    sources = request.app.state.sources
    reg = registry()
    p = reg.get(code)
    assert p is not None
    today = date.today().isoformat()
    hist = sources.agreement_history()
    row = next((r for r in hist.matrix(today[:7]) if r["partner"] == code), None)
    fc = facets(store, EventQuery.build(partner=code))
    return {
        "code": code,
        "kind": p.kind,
        "name_ja": p.name_ja,
        "name_en": p.name_en,
        "region": p.region,
        "aliases": list(p.aliases_ja) + list(p.aliases_en),
        "groups": [{"group": g, "status": s} for g, s in groups_of(store, code, today)],
        "counts": fc.to_dict(),
        "agreements": {
            "as_of": today[:7],
            "row": row or {"partner": code, **{t: None for t in MATRIX_TYPES}},
            "history": [e.to_dict() for e in hist.history(code)],
        },
        "latest": [
            e.to_dict()
            for e in search_events(store, EventQuery.build(partner=code, sort="-date", limit=20))
        ],
    }


@router.get("/partners/{code}", tags=["partners"],
            summary="A partner's profile: names, groups, counts, agreements, latest events",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def partner(
    request: Request, _p: Viewer, code: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    return partner_profile(request, partner_code(code))


@router.get("/people", tags=["partners"],
            summary="Persons and the roles they held (attested or curated tenures)",
            responses=READ_ERRORS)  # fmt: skip
def people(
    request: Request,
    _p: Viewer,
    role: Annotated[str | None, Query(max_length=64)] = None,
    country: Annotated[str | None, Query(max_length=8)] = None,
    as_of: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    from defcoop.kb.people import list_tenures

    if as_of:
        check_date(as_of)
    return [h.to_dict() for h in list_tenures(_store(request), role=role or None,
                                              country=country or None, as_of=as_of or None,
                                              name=name or None)]  # fmt: skip


# --------------------------------------------------------------------------- agreements


@router.get("/agreements", tags=["agreements"],
            summary="Partner x agreement-type matrix with the status on a date",
            responses=READ_ERRORS)  # fmt: skip
def agreements(
    request: Request,
    _p: Viewer,
    as_of: Annotated[str | None, Query(pattern=DATE_PATTERN, description="YYYY, YYYY-MM or YYYY-MM-DD (default: this month).")] = None,
    type: Annotated[
        list[Annotated[str, StringConstraints(pattern=AGREEMENT_TYPE_PATTERN)]] | None,
        Query(description="Agreement types (default RAA ACSA ETA ISA MOU)."),
    ] = None,
) -> dict[str, Any]:  # fmt: skip
    on = check_date(as_of) if as_of else date.today().isoformat()[:7]
    types = [t.upper() for t in (type or MATRIX_TYPES)]
    bad = [t for t in types if t not in curation.AGREEMENT_TYPES]
    if bad:
        raise QueryError(f"unknown agreement type {bad[0]!r}")
    rows = request.app.state.sources.matrix(on, types)
    return {"as_of": on, "types": types, "rows": rows}


@router.get("/agreements/{partner}", tags=["agreements"],
            summary="A partner's agreement history: dated, sourced status entries",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def agreement_history(
    request: Request, _p: Viewer, partner: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    code = partner_code(partner)
    hist = request.app.state.sources.agreement_history()
    aside = [c for c in hist.conflicts() if c.entry.partner == code]
    return {
        "partner": code,
        "history": [e.to_dict() for e in hist.history(code)],
        "set_aside": [{"entry": c.entry.to_dict(), "reason": c.reason} for c in aside],
    }


# --------------------------------------------------------------------------- frameworks


@router.get("/frameworks", tags=["frameworks"],
            summary="Frameworks (JASMINE, Vientiane Vision 2.0, the Joint Vision, FOIP...)",
            responses=READ_ERRORS)  # fmt: skip
def frameworks(request: Request, _p: Viewer) -> list[dict[str, Any]]:
    out = []
    for fw in request.app.state.sources.frameworks():
        out.append({"id": fw.id, "name": fw.name, "name_en": fw.name_en, "adopted": fw.adopted,
                    "pillars": len(fw.pillars), "initiatives": len(fw.initiatives)})  # fmt: skip
    return out


@router.get("/frameworks/{name}", tags=["frameworks"],
            summary="A framework: pillars, lines of effort, initiatives, linked achievements",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def framework(
    request: Request,
    _p: Viewer,
    name: Annotated[str, Path(max_length=64)],
    detail: Annotated[bool, Query(description="Add English names, spans and rules.")] = False,
) -> dict[str, Any]:
    data = request.app.state.sources.framework_json(name, detail=detail)
    if data is None:
        raise HTTPException(404, f"no framework {name!r}")
    return data


# --------------------------------------------------------------------------- documents


@router.get("/documents", tags=["documents"], summary="Current documents of the store",
            responses=READ_ERRORS)  # fmt: skip
def documents(request: Request, _p: Viewer) -> list[dict[str, Any]]:
    return [d.to_dict() for d in _store(request).list_documents()]


@router.get("/documents/{doc_key}", tags=["documents"],
            summary="A document version with its segments (block kind, section, span, text)",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def document(
    request: Request,
    _p: Viewer,
    doc_key: Annotated[str, Path(max_length=255)],
    kind: Annotated[
        list[Annotated[str, StringConstraints(pattern=BLOCK_PATTERN)]] | None,
        Query(description="Only these block kinds."),
    ] = None,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    view = _store(request).get_document(doc_key, version=version, kinds=kind or None)
    if view is None:
        raise HTTPException(404, f"no document {doc_key!r}")
    return view.to_dict()


# --------------------------------------------------------------------------- statistics


@router.get("/stats", tags=["statistics"],
            summary="Totals, facets and top partners of the filtered events",
            responses=READ_ERRORS)  # fmt: skip
def stats(request: Request, _p: Viewer, q: Filters) -> dict[str, Any]:
    from defcoop.query.analytics import top_partners

    store = _store(request)
    return {
        "store": store.counts().to_dict(),
        "facets": facets(store, q).to_dict(),
        "top_partners": [t.to_dict() for t in top_partners(store, 10, q)],
    }


@router.get("/stats/counts", tags=["statistics"],
            summary="Event counts grouped by dimensions (year, month, partner, region, kind, level, state)",
            responses=READ_ERRORS)  # fmt: skip
def stats_counts(
    request: Request,
    _p: Viewer,
    _q: FilterParams,
    by: Annotated[str, Query(pattern=DIMENSION_PATTERN, description="Comma-separated dimensions, e.g. year,partner.")] = "year",
) -> list[dict[str, Any]]:  # fmt: skip
    from defcoop.query.analytics import counts

    q = filters_from(request, exclude=("by",)).unpaged()
    dims = [d.strip() for d in by.split(",") if d.strip()]
    return [r.to_dict() for r in counts(_store(request), dims, q)]


@router.get("/stats/intensity", tags=["statistics"],
            summary="Engagement intensity per partner (events weighted by level)",
            responses=READ_ERRORS)  # fmt: skip
def stats_intensity(
    request: Request,
    _p: Viewer,
    _q: FilterParams,
    top: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> list[dict[str, Any]]:
    from defcoop.query.analytics import intensity_summary

    q = filters_from(request, exclude=("top",)).unpaged()
    return [s.to_dict() for s in intensity_summary(_store(request), q, top=top)]


@router.get("/stats/network", tags=["statistics"],
            summary="Co-participation network of multilateral events (node-link JSON)",
            responses=READ_ERRORS)  # fmt: skip
def stats_network(
    request: Request,
    _p: Viewer,
    _q: FilterParams,
    min_partners: Annotated[int, Query(ge=2, le=50)] = 2,
) -> dict[str, Any]:
    from defcoop.query.analytics import network, network_json

    q = filters_from(request, exclude=("min_partners",)).unpaged()
    return network_json(network(_store(request), q, min_partners=min_partners))


# --------------------------------------------------------------------------- exports

EXPORT_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/export/{table}.{fmt}", tags=["exports"],
            summary="A research export table (events, participants, evidence, agreements, "
                    "frameworks, framework_links) of the filtered events, as CSV, JSON Lines, "
                    "Parquet or XLSX — the files of `defcoop export` (docs/data-dictionary.md)",
            responses={**READ_ERRORS, **_errors(404)},
            response_class=FileResponse)  # fmt: skip
def export_table(
    request: Request,
    _p: Viewer,
    _q: FilterParams,
    table: Annotated[str, Path(pattern="^(" + "|".join(exports.TABLES) + ")$")],
    fmt: Annotated[str, Path(pattern="^(" + "|".join(exports.FORMATS) + ")$")],
) -> FileResponse:
    q = filters_from(request).unpaged()
    rows = exports.table_rows(_store(request), table, q)
    folder = Path_(tempfile.mkdtemp(prefix="defcoop-export-"))
    path = exports.write_table(table, rows, folder / f"{table}.{fmt}", fmt)
    return FileResponse(
        path,
        media_type=EXPORT_MEDIA[fmt],
        filename=f"defcoop-{table}.{fmt}",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


# --------------------------------------------------------------------------- users (admin)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, pattern=r"^[^\s\x00-\x1f\x7f-\x9f]+$")
    role: str = Field(default="viewer", pattern=ROLE_NAMES, description="viewer, editor or admin")
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str | None = Field(default=None, pattern=ROLE_NAMES)
    active: StrictBool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(default=None, max_length=200)
    days: int | None = Field(
        default=None, ge=1, le=3650, description="Expires after this many days."
    )


def _user_or_404(store: Store, name: str) -> user_store.UserView:
    u = user_store.get_user(store, name)
    if u is None:
        raise HTTPException(404, f"no user {name!r}")
    return u


@router.get("/users", tags=["users"], summary="Users and roles; admin", responses=READ_ERRORS)
def users(request: Request, _p: Admin) -> list[dict[str, Any]]:
    return [u.to_dict() for u in user_store.list_users(_store(request))]


@router.post("/users", tags=["users"], status_code=201, summary="Add a user; admin",
             responses=WRITE_ERRORS)  # fmt: skip
def create_user(request: Request, p: Admin, body: UserCreate) -> dict[str, Any]:
    u = user_store.add_user(_store(request), body.name, body.role, body.password,
                            actor=str(p.name))  # fmt: skip
    return u.to_dict()


@router.patch("/users/{name}", tags=["users"],
              summary="Change a user's role, active flag or password; admin",
              responses=WRITE_ERRORS)  # fmt: skip
def update_user(
    request: Request, p: Admin, name: Annotated[str, Path(max_length=64)], body: UserPatch
) -> dict[str, Any]:
    store = _store(request)
    u = _user_or_404(store, name)
    actor = str(p.name)
    if body.role is not None:
        u = user_store.set_role(store, name, body.role, actor=actor)
    if body.active is not None:
        u = user_store.set_active(store, name, body.active, actor=actor)
    if body.password is not None:
        u = user_store.set_password(store, name, body.password, actor=actor)
    return u.to_dict()


@router.get("/users/{name}/tokens", tags=["users"], summary="A user's API tokens; admin",
            responses={**READ_ERRORS, **_errors(404)})  # fmt: skip
def user_tokens(
    request: Request, _p: Admin, name: Annotated[str, Path(max_length=64)]
) -> list[dict[str, Any]]:
    store = _store(request)
    _user_or_404(store, name)
    return [t.to_dict() for t in user_store.list_tokens(store, name)]


@router.post("/users/{name}/tokens", tags=["users"], status_code=201,
             summary="Issue an API token (returned once); admin",
             responses=WRITE_ERRORS)  # fmt: skip
def issue_token(
    request: Request, p: Admin, name: Annotated[str, Path(max_length=64)],
    body: Annotated[TokenCreate, Body()] = TokenCreate(),
) -> JSONResponse:  # fmt: skip
    store = _store(request)
    _user_or_404(store, name)
    token, view = user_store.create_token(store, name, label=body.label, days=body.days,
                                          actor=str(p.name))  # fmt: skip
    return JSONResponse({"token": token, "info": view.to_dict()}, status_code=201)


@router.delete("/users/{name}/tokens/{token_id}", tags=["users"],
               summary="Revoke an API token; admin", responses=WRITE_ERRORS)  # fmt: skip
def revoke_token(
    request: Request, p: Admin, name: Annotated[str, Path(max_length=64)],
    token_id: Annotated[int, Path(ge=1)],
) -> dict[str, Any]:  # fmt: skip
    store = _store(request)
    _user_or_404(store, name)
    if not any(t.id == token_id for t in user_store.list_tokens(store, name)):
        raise HTTPException(404, f"no token {token_id} of {name!r}")
    return user_store.revoke_token(store, token_id, actor=str(p.name)).to_dict()


def partner_label(code: str, lang: str) -> str:
    return partner_name(code, lang)

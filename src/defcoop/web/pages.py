"""Server-rendered HTML pages: the same reads and writes as the JSON API, for people.

Every page is usable without JavaScript; htmx (packaged, no CDN) only swaps the search
results and the agreement matrix in place. Forms post with a CSRF token; curation goes
through :mod:`defcoop.kb.curation` (audited) and a stale edit re-renders the event with
a message instead of overwriting someone else's change.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import MultiDict
from starlette.exceptions import HTTPException

from defcoop.kb import curation
from defcoop.kb import frameworks as kbf
from defcoop.kb.agreements import MATRIX_TYPES, check_date
from defcoop.query import (
    KINDS,
    EventDetail,
    EventQuery,
    Page,
    QueryError,
    facets,
    get_event,
    search_events,
    source_sentences,
)
from defcoop.store import Store
from defcoop.store import users as user_store
from defcoop.web import api
from defcoop.web.auth import Auth, Principal, client_ip
from defcoop.web.charts import bar_chart, hbar_chart, year_series
from defcoop.web.i18n import COOKIE as LANG_COOKIE
from defcoop.web.i18n import LANGS, Translator, request_lang

router = APIRouter(include_in_schema=False)

#: Event fields an editor may correct in the browser (all of kb.curation's event fields).
CORRECTABLE = tuple(curation.EVENT_FIELDS)
SEARCH_SORTS = ("-date", "date", "kind", "-updated")
DONE = ("verify", "correct", "reject", "restore", "add", "link", "unlink")


# --------------------------------------------------------------------------- plumbing


def _auth(request: Request) -> Auth:
    return request.app.state.auth


def _store(request: Request) -> Store:
    return request.app.state.store


def _t(request: Request) -> Translator:
    return Translator(request_lang(request))


def _need(request: Request, role: str = "viewer") -> Principal:
    return _auth(request).require(request, role)


def _csrf(request: Request, token: str | None) -> None:
    _auth(request).check_csrf(request, token)


def page(request: Request, name: str, ctx: dict[str, Any] | None = None, **kw: Any) -> HTMLResponse:
    return request.app.state.render.page(request, name, ctx or {}, **kw)


def safe_next(target: str | None) -> str:
    """A local path to go back to (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --------------------------------------------------------------------------- dashboard


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    _need(request)
    t = _t(request)
    store = _store(request)
    counts = store.counts()
    f = facets(store)
    latest = search_events(store, EventQuery.build(sort="-date", limit=10))
    years = year_series(f.year)
    trend = bar_chart(
        years,
        title=t("dashboard.trend"),
        href=lambda y: "/search" + api_qs(since=y.lstrip("≤"), until=y.lstrip("≤")),
    )
    top = [(c, t.partner(c), n) for c, n in list(f.partner.items())[:10]]
    curated = sum(n for s, n in f.state.items() if s in ("verified", "corrected", "manual"))
    return page(
        request,
        "dashboard.html",
        {
            "counts": counts,
            "facets": f,
            "latest": latest,
            "trend": trend,
            "top_chart": hbar_chart(
                top, title=t("dashboard.top_partners"), href=lambda c: f"/partners/{quote(c)}"
            ),
            "kind_chart": hbar_chart(
                [(k, t.kind(k), n) for k, n in f.kind.items()],
                title=t("dashboard.kinds"),
                href=lambda k: "/search" + api_qs(kind=k),
            ),
            "partners_n": len(f.partner),
            "sentences": source_sentences(store, [e.id for e in latest.items]),
            "curated": curated,
        },
    )


def api_qs(**params: Any) -> str:
    from defcoop.web.render import query_string

    return query_string({}, **params)


# --------------------------------------------------------------------------- search


def _query_of(request: Request) -> EventQuery:
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("done",)]
    q = EventQuery.from_mapping(MultiDict(pairs))
    if "sort" not in request.query_params:
        q = q.replace(sort="-date")
    if q.limit is None or q.limit > 200:
        q = q.replace(limit=200)
    return q


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    _need(request)
    store = _store(request)
    error = None
    try:
        q = _query_of(request)
        results = search_events(store, q)
        f = facets(store, q)
    except QueryError as err:
        error = str(err)
        q = EventQuery.build(sort="-date")
        results = Page(items=[], total=0, page=1, limit=q.limit, query=q)
        f = None
    segments = []
    if q.text and not error:
        segments = store.search_segments(q.text, limit=10)
    return page(
        request,
        "search.html",
        {
            "q": q,
            "results": results,
            "facets": f,
            "error": error,
            "segments": segments,
            "sentences": source_sentences(store, [e.id for e in results.items]),
            "terms": (q.text or "").split(),
            "kinds": KINDS,
            "sorts": SEARCH_SORTS,
        },
        status=400 if error else 200,
    )


# --------------------------------------------------------------------------- events


def _paragraphs(detail: EventDetail) -> list[dict[str, Any]]:
    """The event's source paragraphs, each once, with every evidence span inside it."""
    by_seg: dict[Any, dict[str, Any]] = {}
    for ev in detail.evidence:
        key = (ev.document_id, ev.segment_id) if ev.segment_id is not None else ("ev", ev.id)
        entry = by_seg.setdefault(
            key,
            {
                "doc_key": ev.doc_key,
                "version": ev.version,
                "is_current": ev.is_current,
                "line": ev.line,
                "kind": ev.segment_kind,
                "section_path": ev.section_path,
                "text": ev.paragraph if ev.paragraph is not None else ev.quote,
                "spans": [],
                "rules": {},
                "origin": ev.origin,
            },
        )
        span = ev.quote_in_paragraph if ev.paragraph is not None else (0, len(ev.quote))
        if span is not None:
            entry["spans"].append(span)
        entry["rules"].update(ev.rules)
    return list(by_seg.values())


def _event_context(request: Request, detail: EventDetail) -> dict[str, Any]:
    store = _store(request)
    history = curation.audit_log(store, entity="event", entity_id=detail.event.id)
    fw = request.app.state.sources.framework("JASMINE")
    initiatives = []
    if fw is not None:
        for i in fw.initiatives:
            for n in i.pillars:
                initiatives.append({"name": i.name, "name_en": i.name_en, "pillar": n})
    link_history = kbf.link_audit(store, event_id=detail.event.id)
    return {
        "d": detail,
        "e": detail.event,
        "paragraphs": _paragraphs(detail),
        "history": history,
        "link_history": link_history,
        "correctable": CORRECTABLE,
        "initiatives": initiatives,
        "pillars": [p.number for p in fw.pillars] if fw is not None else [],
    }


def _render_event(
    request: Request, event_id: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    detail = get_event(_store(request), event_id)
    if detail is None:
        raise HTTPException(404, f"no event {event_id}")
    ctx = _event_context(request, detail)
    done = request.query_params.get("done")
    ctx["done"] = done if done in DONE else None
    ctx["error"] = error
    return page(request, "event.html", ctx, status=status)


@router.get("/events/new", response_class=HTMLResponse)
def new_event_form(request: Request) -> HTMLResponse:
    _need(request, "editor")
    return page(request, "event_new.html", _new_ctx(request, {}, None))


def _new_ctx(request: Request, values: dict[str, Any], error: str | None) -> dict[str, Any]:
    return {
        "values": values,
        "error": error,
        "kinds": curation.EVENT_KINDS,
        "roles": curation.JP_ROLES,
        "modalities": curation.MODALITIES,
        "docs": [d.doc_key for d in _store(request).list_documents()],
    }


@router.post("/events/new", response_class=HTMLResponse)
def new_event(
    request: Request,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    date_: Annotated[str, Form(alias="date", max_length=10)] = "",
    end: Annotated[str, Form(max_length=10)] = "",
    partners: Annotated[str, Form(max_length=500)] = "",
    jp_role: Annotated[str, Form(max_length=32)] = "",
    jp_name: Annotated[str, Form(max_length=200)] = "",
    modality: Annotated[str, Form(max_length=16)] = "",
    location: Annotated[str, Form(max_length=500)] = "",
    occasion: Annotated[str, Form(max_length=500)] = "",
    summary: Annotated[str, Form(max_length=5000)] = "",
    source_doc: Annotated[str, Form(max_length=255)] = "",
    source_quote: Annotated[str, Form(max_length=5000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    p = _need(request, "editor")
    _csrf(request, csrf_token)
    values = {
        "kind": kind, "date": date_, "end": end, "partners": partners, "jp_role": jp_role,
        "jp_name": jp_name, "modality": modality, "location": location, "occasion": occasion,
        "summary": summary, "source_doc": source_doc, "source_quote": source_quote,
        "reason": reason,
    }  # fmt: skip
    opt = {k: (v.strip() or None) for k, v in values.items()}
    try:
        res = curation.add_event(
            _store(request),
            user=str(p.name),
            kind=opt["kind"] or "",
            date=opt["date"],
            end=opt["end"],
            partners=[c.strip() for c in partners.replace("、", ",").split(",") if c.strip()],
            jp_role=opt["jp_role"],
            jp_name=opt["jp_name"],
            modality=opt["modality"],
            location=opt["location"],
            occasion=opt["occasion"],
            summary=opt["summary"],
            source_doc=opt["source_doc"],
            source_quote=opt["source_quote"],
            reason=opt["reason"],
        )
    except curation.CurationError as err:
        return page(request, "event_new.html", _new_ctx(request, values, str(err)), status=400)
    api._resolve_kb(_store(request))
    return _see(f"/events/{quote(res.id)}?done=add")


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
    _need(request)
    return _render_event(request, event_id)


def _curate(request: Request, event_id: str, token: str, action: str, run: Any) -> Response:
    p = _need(request, "editor")
    _csrf(request, token)
    t = _t(request)
    try:
        run(str(p.name))
    except curation.StaleEditError as err:
        msg = t("curate.stale", expected=err.expected, current=err.current or "?")
        return _render_event(request, event_id, error=msg, status=409)
    except (curation.CurationError, kbf.FrameworkError) as err:
        if "no such record" in str(err) or "no such event" in str(err):
            raise HTTPException(404, str(err)) from err
        return _render_event(request, event_id, error=str(err), status=400)
    api._resolve_kb(_store(request))
    return _see(f"/events/{quote(event_id)}?done={action}")


def _version(v: str) -> int | None:
    try:
        return int(v) if v.strip() else None
    except ValueError as err:
        raise HTTPException(400, f"version: not a number: {v!r}") from err


@router.post("/events/{event_id}/verify")
def verify_form(
    request: Request,
    event_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _curate(request, event_id, csrf_token, "verify", lambda user: curation.verify(
        _store(request), "event", event_id, user=user, reason=reason or None,
        expected_version=_version(version)))  # fmt: skip


@router.post("/events/{event_id}/correct")
def correct_form(
    request: Request,
    event_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    field: Annotated[str, Form(max_length=32)] = "",
    value: Annotated[str, Form(max_length=5000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def run(user: str) -> Any:
        new: Any = value.strip() or None
        if field == "partners" and new:
            new = [c.strip() for c in new.replace("、", ",").split(",") if c.strip()]
        return api.apply_corrections(_store(request), event_id, {field: new}, user=user,
                                     reason=reason or None, version=_version(version))  # fmt: skip

    return _curate(request, event_id, csrf_token, "correct", run)


@router.post("/events/{event_id}/reject")
def reject_form(
    request: Request,
    event_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _curate(request, event_id, csrf_token, "reject", lambda user: curation.reject(
        _store(request), "event", event_id, user=user, reason=reason or None,
        expected_version=_version(version)))  # fmt: skip


@router.post("/events/{event_id}/restore")
def restore_form(
    request: Request,
    event_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _curate(request, event_id, csrf_token, "restore", lambda user: curation.restore(
        _store(request), "event", event_id, user=user, reason=reason or None,
        expected_version=_version(version)))  # fmt: skip


def _pillar(v: str) -> int | None:
    try:
        return int(v) if v.strip() else None
    except ValueError as err:
        raise HTTPException(400, f"pillar: not a number: {v!r}") from err


@router.post("/events/{event_id}/link")
def link_form(
    request: Request,
    event_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    framework: Annotated[str, Form(max_length=64)] = "JASMINE",
    target: Annotated[str, Form(max_length=600)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """``target`` is ``PILLAR`` or ``PILLAR|initiative name``."""
    number, _, initiative = target.partition("|")
    return _curate(request, event_id, csrf_token, "link", lambda user: kbf.add_link(
        _store(request), event_id, framework, _pillar(number), initiative or None, user=user,
        reason=reason or None))  # fmt: skip


@router.post("/events/{event_id}/unlink")
def unlink_form(
    request: Request,
    event_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    framework: Annotated[str, Form(max_length=64)] = "JASMINE",
    pillar: Annotated[str, Form(max_length=4)] = "",
    initiative: Annotated[str, Form(max_length=500)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _curate(request, event_id, csrf_token, "unlink", lambda user: kbf.remove_link(
        _store(request), event_id, framework, _pillar(pillar), initiative or None, user=user,
        reason=reason or None))  # fmt: skip


# --------------------------------------------------------------------------- partners


@router.get("/partners", response_class=HTMLResponse)
def partners_page(request: Request) -> HTMLResponse:
    _need(request)
    from defcoop.extract.partners import registry

    store = _store(request)
    counts = facets(store).partner
    reg = registry()
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for code, n in counts.items():
        p = reg.get(code)
        region = (p.region if p else None) or "international"
        by_region[region].append({"code": code, "events": n, "kind": p.kind if p else None})
    return page(request, "partners.html", {"by_region": dict(sorted(by_region.items()))})


@router.get("/partners/{code}", response_class=HTMLResponse)
def partner_page(request: Request, code: Annotated[str, Path(max_length=64)]) -> Response:
    _need(request)
    resolved = api.partner_code(code)
    if resolved != code:
        return _see(f"/partners/{quote(resolved)}")
    t = _t(request)
    prof = api.partner_profile(request, resolved)
    store = _store(request)
    timeline = search_events(store, EventQuery.build(partner=resolved, sort="-date", limit=200))
    by_year: dict[str, list[Any]] = defaultdict(list)
    for e in timeline.items:
        by_year[(e.date or "")[:4] or t("common.undated")].append(e)
    counts = prof["counts"]
    return page(
        request,
        "partner.html",
        {
            "p": prof,
            "timeline": by_year,
            "timeline_total": timeline.total,
            "sentences": source_sentences(store, [e.id for e in timeline.items]),
            "year_chart": bar_chart(
                year_series(counts["year"]),
                title=t("partners.by_year"),
                href=lambda y: (
                    "/search" + api_qs(partner=resolved, since=y.lstrip("≤"), until=y.lstrip("≤"))
                ),
            ),
            "kind_chart": hbar_chart(
                [(k, t.kind(k), n) for k, n in counts["kind"].items()],
                title=t("partners.by_kind"),
                href=lambda k: "/search" + api_qs(partner=resolved, kind=k),
            ),
            "types": MATRIX_TYPES,
        },
    )


# --------------------------------------------------------------------------- agreements


@router.get("/agreements", response_class=HTMLResponse)
def agreements_page(
    request: Request, as_of: Annotated[str | None, Query(max_length=10)] = None
) -> HTMLResponse:
    _need(request)
    error = None
    on = date.today().isoformat()[:7]
    if as_of:
        try:
            on = check_date(as_of)
        except ValueError as err:
            error = str(err)
    rows = request.app.state.sources.matrix(on)
    return page(
        request,
        "agreements.html",
        {"as_of": on, "rows": rows, "types": MATRIX_TYPES, "error": error},
        status=400 if error else 200,
    )


# --------------------------------------------------------------------------- frameworks


@router.get("/frameworks", response_class=HTMLResponse)
def frameworks_page(request: Request) -> HTMLResponse:
    _need(request)
    return page(request, "frameworks.html", {"frameworks": request.app.state.sources.frameworks()})


def framework_view(request: Request, name: str) -> dict[str, Any] | None:
    """Pillars -> lines of effort -> initiatives (with their implementation status) ->
    achievements, for the framework page."""
    sources = request.app.state.sources
    fw = sources.framework(name)
    if fw is None:
        return None
    achievements = sources.achievements(fw.id)
    status = {(st.target_kind, st.target): st for st in sources.status(fw)}
    pillars = []
    for p in fw.pillars:
        by_init: dict[str | None, list[Any]] = defaultdict(list)
        for a in achievements:
            seen: set[str | None] = set()
            for lk in a.links:
                key = lk.initiative or lk.area
                if lk.framework != fw.id or lk.pillar != p.number or key in seen:
                    continue
                seen.add(key)
                by_init[key].append((a, lk))
        inits = []
        names = set()
        for i in fw.initiatives_of(p.number):
            names.add(i.name)
            items = sorted(by_init.get(i.name, []), key=lambda x: x[0].date or "")
            inits.append(
                {"i": i, "achievements": items, "status": status.get(("initiative", i.name))}
            )
        areas = [{"name": c.name, "name_en": c.name_en, "status": status.get(("area", c.name)),
                  "achievements": sorted(by_init.get(c.name, []), key=lambda x: x[0].date or "")}
                 for c in p.cooperation_areas]  # fmt: skip
        names |= {c.name for c in p.cooperation_areas}
        other = sorted(
            [x for k, v in by_init.items() if k not in names for x in v],
            key=lambda x: x[0].date or "",
        )
        pillars.append({"p": p, "initiatives": inits, "areas": areas, "other": other,
                        "count": len({a.event for v in by_init.values() for a, _ in v})})  # fmt: skip
    return {"fw": fw, "pillars": pillars, "total": len(achievements)}


@router.get("/frameworks/{name}", response_class=HTMLResponse)
def framework_page(request: Request, name: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
    _need(request)
    view = framework_view(request, name)
    if view is None:
        raise HTTPException(404, f"no framework {name!r}")
    return page(request, "framework.html", view)


# --------------------------------------------------------------------------- documents, people


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request) -> HTMLResponse:
    _need(request)
    return page(request, "documents.html", {"docs": _store(request).list_documents()})


@router.get("/documents/{doc_key}", response_class=HTMLResponse)
def document_page(
    request: Request,
    doc_key: Annotated[str, Path(max_length=255)],
    kind: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    _need(request)
    from defcoop.records import BLOCK_KINDS

    kinds = [k for k in (kind or []) if k in BLOCK_KINDS]
    view = _store(request).get_document(doc_key, kinds=kinds or None)
    if view is None:
        raise HTTPException(404, f"no document {doc_key!r}")
    return page(request, "document.html", {"view": view, "kinds": BLOCK_KINDS, "chosen": kinds})


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request,
    role: Annotated[str | None, Query(max_length=64)] = None,
    country: Annotated[str | None, Query(max_length=8)] = None,
    as_of: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    _need(request)
    from defcoop.kb.people import list_tenures

    error = None
    holders: list[Any] = []
    try:
        if as_of:
            check_date(as_of)
        holders = list_tenures(_store(request), role=role or None, country=country or None,
                               as_of=as_of or None)  # fmt: skip
    except (ValueError, curation.CurationError) as err:
        error = str(err)
    return page(
        request,
        "people.html",
        {
            "holders": holders,
            "role": role or "",
            "country": country or "",
            "as_of": as_of or "",
            "error": error,
        },
        status=400 if error else 200,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> HTMLResponse:
    _need(request, "editor")
    return page(request, "audit.html", {"entries": curation.audit_log(_store(request), limit=300)})


# --------------------------------------------------------------------------- users (admin)


def _users_page(request: Request, **ctx: Any) -> HTMLResponse:
    store = _store(request)
    ctx.setdefault("error", None)
    ctx.setdefault("message", None)
    ctx.setdefault("token", None)
    return page(
        request,
        "users.html",
        {
            "users": user_store.list_users(store),
            "tokens": user_store.list_tokens(store),
            "roles": user_store.ROLES,
            **ctx,
        },
        status=400 if ctx["error"] else 200,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request) -> HTMLResponse:
    _need(request, "admin")
    return _users_page(request)


@router.post("/admin/users", response_class=HTMLResponse)
def users_add(
    request: Request,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=16)] = "viewer",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> HTMLResponse:
    p = _need(request, "admin")
    _csrf(request, csrf_token)
    t = _t(request)
    try:
        user_store.add_user(_store(request), name, role, password or None, actor=str(p.name))
    except user_store.UserError as err:
        return _users_page(request, error=str(err))
    return _users_page(request, message=t("users.created"))


@router.post("/admin/users/{name}", response_class=HTMLResponse)
def users_update(
    request: Request,
    name: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    action: Annotated[str, Form(max_length=16)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
) -> HTMLResponse:
    p = _need(request, "admin")
    _csrf(request, csrf_token)
    t = _t(request)
    store = _store(request)
    actor = str(p.name)
    try:
        if action == "role":
            user_store.set_role(store, name, role, actor=actor)
        elif action in ("activate", "deactivate"):
            user_store.set_active(store, name, action == "activate", actor=actor)
        elif action == "token":
            token, _view = user_store.create_token(store, name, actor=actor)
            return _users_page(request, token={"name": name, "value": token})
        else:
            raise user_store.UserError(f"unknown action {action!r}")
    except user_store.UserError as err:
        return _users_page(request, error=str(err))
    return _users_page(request, message=t("users.updated"))


# --------------------------------------------------------------------------- login, language


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next: Annotated[str, Query(max_length=2000)] = "/"
) -> HTMLResponse:
    return page(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    auth = _auth(request)
    auth.check_csrf(request, csrf_token)
    t = _t(request)
    ip = client_ip(request)
    target = safe_next(next)
    wait = auth.limiter.retry_after(ip, username)
    if wait is not None:
        return page(
            request,
            "login.html",
            {"next": target, "error": t("auth.limited", seconds=wait), "username": username},
            status=429,
            headers={"Retry-After": str(wait)},
        )
    user = user_store.authenticate(_store(request), username, password)
    if user is None:
        auth.limiter.failed(ip, username)
        return page(
            request,
            "login.html",
            {"next": target, "error": t("auth.failed"), "username": username},
            status=401,
        )
    auth.limiter.succeeded(ip, username)
    resp = _see(target)
    auth.login(request, resp, user)
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    auth = _auth(request)
    auth.check_csrf(request, csrf_token)
    resp = _see("/")
    auth.logout(request, resp)
    return resp


@router.get("/lang/{lang}")
def set_language(
    request: Request,
    lang: Annotated[str, Path(max_length=8)],
    next: Annotated[str, Query(max_length=2000)] = "/",
) -> Response:
    if lang not in LANGS:
        raise HTTPException(404, f"no language {lang!r}")
    resp = _see(safe_next(next))
    resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                    path="/")  # fmt: skip
    return resp

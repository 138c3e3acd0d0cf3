"""The FastAPI application: ``create_app(store, public=False, ...)``.

One app serves the JSON API under ``/api/`` (:mod:`defcoop.web.api`), the HTML pages
(:mod:`defcoop.web.pages`) and the packaged static assets under ``/static/``. It is thin:
reads go through :mod:`defcoop.query` (and the cached views of
:mod:`defcoop.web.sources`), writes through :mod:`defcoop.kb.curation` (audited) and
:mod:`defcoop.store.users`.

Every response carries the security headers of ``SECURITY_HEADERS`` (a CSP without
inline scripts or styles, ``nosniff``, ``frame-ancestors 'none'``...); request bodies
over ``max_body`` bytes are refused with 413; every error, API or page, has the body
``{"error": {"code": ..., "message": ...}}`` under ``/api/`` and an error page elsewhere.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles

from defcoop.errors import DefcoopError, StoreError
from defcoop.kb.curation import CurationError, StaleEditError
from defcoop.kb.frameworks import FrameworkError
from defcoop.kb.registry import RegistryError
from defcoop.query import QueryError
from defcoop.store import Store
from defcoop.store.users import UserError
from defcoop.web.auth import Auth, AuthError
from defcoop.web.i18n import Translator, request_lang
from defcoop.web.render import Renderer
from defcoop.web.sources import SourceCache

log = logging.getLogger("defcoop.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1_000_000
SECRET_ENV = "DEFCOOP_SECRET_KEY"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    501: "not_implemented",
}


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def error_body(status: int, message: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code or _CODES.get(status, f"http_{status}"), "message": message}
    err.update(extra)
    return {"error": err}


def _is_api(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    return path == "/api" or path.startswith("/api/")


class GuardMiddleware:
    """Security headers on every response, the body size limit, and a last-resort 500."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                for k, v in SECURITY_HEADERS.items():
                    if k.encode() not in have:
                        headers.append((k.encode(), v.encode()))
                if b"cache-control" not in have:
                    cache = "public, max-age=3600" if static else "no-store"
                    headers.append((b"cache-control", cache.encode()))
                message["headers"] = headers
            await send(message)

        # NUL cannot be stored or compared in PostgreSQL text: refuse it up front, on
        # every backend alike, instead of failing deep in a query
        raw_path = scope.get("raw_path") or str(scope.get("path", "")).encode()
        if (
            b"\x00" in raw_path
            or b"%00" in raw_path
            or b"%00" in scope.get("query_string", b"")
            or "\x00" in str(scope.get("path", ""))
        ):
            await self._error(
                scope, send_with_headers, 400, "NUL characters are not allowed in requests"
            )
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    too_big = int(v) > self.max_body
                except ValueError:
                    too_big = True
                if too_big:
                    await self._error(scope, send_with_headers, 413,
                                      f"request body larger than {self.max_body} bytes")  # fmt: skip
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._error(
                    scope, send_with_headers, 500, "internal error (see the server log)"
                )

    @staticmethod
    async def _error(scope: Scope, send: Send, status: int, message: str) -> None:
        if _is_api(scope):
            resp: Response = JSONResponse(error_body(status, message), status_code=status)
        else:
            from markupsafe import escape

            resp = Response(
                f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(message)}</p>",
                status_code=status,
                media_type="text/html",
            )

        async def _receive() -> Message:
            return {"type": "http.disconnect"}

        await resp(scope, _receive, send)


def _status_of(err: Exception) -> tuple[int, str]:
    if isinstance(err, AuthError):
        return err.status, err.code
    if isinstance(err, StaleEditError):
        return 409, "stale_edit"
    if isinstance(err, FrameworkError):
        if "no such event" in str(err) or str(err).startswith("no framework"):
            return 404, "not_found"
        return 400, "framework_error"
    if isinstance(err, CurationError):
        if "no such record" in str(err):
            return 404, "not_found"
        return 400, "curation_error"
    if isinstance(err, QueryError):
        return 400, "bad_query"
    if isinstance(err, UserError):
        if "exists already" in str(err):
            return 409, "conflict"
        return 400, "user_error"
    if isinstance(err, RegistryError) and "unknown group" in str(err):
        return 404, "not_found"
    if isinstance(err, StoreError):
        return 409, "store_error"
    return 400, "bad_request"


def _handle(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    headers = dict(headers or {})
    if status == 401 and _is_api(request.scope):
        headers["WWW-Authenticate"] = "Bearer"
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    if _is_api(request.scope):
        return JSONResponse(
            error_body(status, message, code, **extra), status_code=status, headers=headers
        )
    if status == 401:
        target = request.url.path + (("?" + request.url.query) if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    request_lang(request)
    renderer: Renderer = request.app.state.render
    return renderer.page(
        request,
        "error.html",
        {"status": status, "code": code, "message": message},
        status=status,
        headers=headers,
    )


def _validation_message(e: Any) -> str:
    """Pydantic's message, without quoting a whole regular expression at the user."""
    if e.get("type") == "string_pattern_mismatch":
        value = e.get("input")
        return f"{value!r} is not an accepted value (see /api/docs)"
    return str(e.get("msg", ""))


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes at this path (FastAPI has one route per
    method, so Starlette's own ``Allow`` names only the first)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        extra: dict[str, Any] = {}
        message = str(exc.detail) if exc.detail else _CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        if exc.status_code == 429 and exc.headers and "Retry-After" in exc.headers:
            extra["retry_after"] = int(exc.headers["Retry-After"])
        allow = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
        if exc.status_code == 405:
            allow = {"Allow": ", ".join(_allowed_methods(request))}
        return _handle(request, exc.status_code, _CODES.get(exc.status_code, "error"), message,
                       allow, **extra)  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": [str(x) for x in e.get("loc", ())], "message": _validation_message(e)}
            for e in exc.errors()
        ]
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        where = ".".join(first["loc"][1:] or first["loc"])
        message = f"{where}: {first['message']}" if where else str(first["message"])
        return _handle(request, 422, "validation_error", message, details=details)

    @app.exception_handler(DefcoopError)
    async def defcoop_error(request: Request, exc: DefcoopError) -> Response:
        status, code = _status_of(exc)
        return _handle(request, status, code, str(exc))

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> Response:
        return _handle(request, exc.status, exc.code, exc.message)

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError) -> Response:
        status, code = _status_of(exc)
        return _handle(request, status, code, str(exc))


def static_dir() -> str:
    return str(resources.files("defcoop.web").joinpath("static"))


def create_app(
    store: Store,
    *,
    public: bool = False,
    secret_key: str | None = None,
    max_body: int = MAX_BODY,
    secure_cookies: bool | None = None,
    warm: bool = False,
) -> FastAPI:
    """The web application over ``store``.

    * ``public`` — anonymous visitors may read (as viewers); otherwise everyone logs in.
    * ``secret_key`` — signs sessions and CSRF tokens (default ``$DEFCOOP_SECRET_KEY``, else a
      random key: sessions then end when the server restarts).
    * ``max_body`` — largest request body in bytes (413 above).
    * ``secure_cookies`` — force the cookies' Secure flag (default: on HTTPS requests).
    * ``warm`` — run :func:`warm_up` in a background thread (``defcoop serve`` runs it
      before the port opens instead).
    """
    from defcoop import __version__ as version

    app = FastAPI(
        title="defcoop",
        version=version,
        summary="Defense cooperation and exchanges: events with sources, agreements, frameworks.",
        description=(
            "JSON API of defcoop. Reads need the viewer role (anonymous when the server "
            "runs `--public`), curation the editor role, user management admin. Scripts "
            "authenticate with `Authorization: Bearer <token>` (`defcoop users token NAME`). "
            'Every error has the body `{"error": {"code": ..., "message": ...}}`. '
            "See docs/api.md."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    secret = secret_key or os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)
    app.state.store = store
    app.state.auth = Auth(store, secret, public=public, secure=secure_cookies)
    app.state.sources = SourceCache(store)
    app.state.render = Renderer(app.state)
    _install_handlers(app)

    from defcoop.web import api, pages

    # The routers need no prefix or dependencies of their own here, so their routes are
    # added as they are: ``include_router`` would rebuild every route's parameter models
    # for each app (≈0.3 s per app on the first request).
    app.router.routes.extend(api.router.routes)
    app.router.routes.extend(pages.router.routes)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    app.add_middleware(GuardMiddleware, max_body=max_body)

    if warm:
        threading.Thread(target=warm_up, args=(app,), name="defcoop-warm", daemon=True).start()
    return app


def warm_up(app: FastAPI) -> None:
    """Do once, before the first visitor, what the first page would do cold: compile the
    templates, load the partner registry and run the dashboard's queries (SQLAlchemy
    caches their compiled SQL), then build the cached framework and agreement views."""
    from defcoop.query import EventQuery, facets, search_events

    store: Store = app.state.store
    try:
        env = app.state.render.env
        for name in env.list_templates():
            env.get_template(name)
        store.counts()
        facets(store)
        search_events(store, EventQuery.build(sort="-date", limit=10))
        sources: SourceCache = app.state.sources
        sources.agreement_history()
        for fw in sources.frameworks():
            sources.status(fw)
    except Exception:  # a warm-up failure shows again on the first request
        log.exception("warming up failed")


def translator_for(request: Request) -> Translator:
    return Translator(request_lang(request))


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """``(method, path)`` of every route of ``app`` (pages, API, static mount as
    ``/static/{path}``), HEAD left out — what docs/api.md must list."""
    out: set[tuple[str, str]] = set()

    def walk(routes: Any) -> None:
        for r in routes:
            sub = getattr(r, "original_router", None)  # routers included in the app
            if sub is not None:
                walk(sub.routes)
                continue
            if isinstance(r, Mount):
                out.add(("GET", f"{r.path}/{{path}}"))
                continue
            path, methods = getattr(r, "path", None), getattr(r, "methods", None)
            for m in methods or ():
                if path and m != "HEAD":
                    out.add((m, path))

    walk(app.routes)
    return sorted(out)

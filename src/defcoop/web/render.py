"""Jinja2 environment (autoescape on for every template) and the helpers templates use.

``highlight`` is how source text is shown: the paragraph is split at the evidence
offsets and every piece is escaped on its own, so markup inside a source document
(``<p>``, ``<ul>`` in 000_…) is always shown as text, and only our own ``<mark>``
elements are markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from defcoop.web.auth import AuthError, Principal
from defcoop.web.i18n import LANGS, Translator, request_lang


def highlight(text: str | None, spans: Iterable[tuple[int, int]]) -> Markup:
    """``text`` escaped, with ``spans`` (offsets into ``text``) wrapped in ``<mark>``.

    Overlapping or out-of-range spans are clipped and merged; the text itself is never
    trusted as markup.
    """
    if not text:
        return Markup("")
    n = len(text)
    merged: list[list[int]] = []
    for a, b in sorted((max(0, min(a, n)), max(0, min(b, n))) for a, b in spans):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out: list[str] = []
    pos = 0
    for a, b in merged:
        out.append(str(escape(text[pos:a])))
        out.append(f'<mark class="evidence">{escape(text[a:b])}</mark>')
        pos = b
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def query_string(params: Mapping[str, Any] | Sequence[tuple[str, Any]], **changes: Any) -> str:
    """``?a=1&b=2`` from multi-valued params, with ``changes`` replacing keys (None drops)."""
    items: list[tuple[str, str]] = []
    pairs = params.items() if isinstance(params, Mapping) else params
    for k, v in pairs:
        if k in changes:
            continue
        if isinstance(v, list | tuple):
            items.extend((k, str(x)) for x in v if x not in (None, ""))
        elif v not in (None, ""):
            items.append((k, str(v)))
    for k, v in changes.items():
        if v is None or v == "":
            continue
        if isinstance(v, list | tuple):
            items.extend((k, str(x)) for x in v)
        else:
            items.append((k, str(v)))
    return "?" + urlencode(items) if items else ""


def toggle(params: Sequence[tuple[str, str]], key: str, value: str) -> str:
    """Query string with ``key=value`` added, or removed when present (facet links);
    the page goes back to 1."""
    have = [(k, v) for k, v in params if k != "page"]
    if (key, value) in have:
        rest = [(k, v) for k, v in have if (k, v) != (key, value)]
    else:
        rest = [*have, (key, value)]
    return query_string(rest)


def terms_spans(text: str | None, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of every (case-insensitive) occurrence of each search term in ``text``."""
    if not text:
        return []
    folded = len(text.casefold()) == len(text)  # else offsets would not line up
    low = text.casefold() if folded else text
    spans: list[tuple[int, int]] = []
    for term in terms:
        key = term.casefold() if folded else term
        if not key:
            continue
        start = low.find(key)
        while start >= 0 and len(spans) < 200:
            spans.append((start, start + len(key)))
            start = low.find(key, start + len(key))
    return spans


def _pairs(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("defcoop.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        highlight=highlight,
        query_string=query_string,
        toggle=toggle,
        terms_spans=terms_spans,
        LANGS=LANGS,
    )
    # Audit values shown with |tojson: readable Japanese (still HTML-safe: <, >, & escaped).
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


class Renderer:
    """Renders a template with the request's language, principal and CSRF token."""

    def __init__(self, app_state: Any) -> None:
        self.env = make_env()
        self.state = app_state

    def context(self, request: Request) -> dict[str, Any]:
        auth = self.state.auth
        lang = request_lang(request)
        try:
            me = auth.principal(request)
        except AuthError:  # a bad bearer token on a page: show it as anonymous
            me = Principal(None, "anonymous", auth.public)
        return {
            "request": request,
            "t": Translator(lang),
            "lang": lang,
            "me": me,
            "csrf": auth.csrf_token(request),
            "path": request.url.path,
            "full_path": request.url.path
            + (("?" + request.url.query) if request.url.query else ""),
            "params": _pairs(request),
            "public": auth.public,
        }

    def page(
        self,
        request: Request,
        name: str,
        ctx: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        full = self.context(request)
        full.update(ctx or {})
        html = self.env.get_template(name).render(full)
        resp = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
        return self.state.auth.finish(request, resp)

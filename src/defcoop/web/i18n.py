"""Japanese and English interface texts, and display names of codes in either language.

Messages live in ``locales/{ja,en}.yaml`` as nested mappings; ``t("nav.search")`` looks a
dotted key up in the chosen language, then in English, then returns the key itself (so
a missing text shows, never crashes). ``{name}`` placeholders are filled with
``str.format``-style keyword arguments.

Partner names come from the partner registry (``defcoop.extract.partners``) in the
chosen language; event kinds, levels, curation states, agreement statuses, regions and
role codes from the locale files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from defcoop.extract.partners import registry

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"
COOKIE = "defcoop_lang"


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = "" if v is None else str(v)
    return out


@cache
def messages(lang: str) -> dict[str, str]:
    """Every message of ``lang`` by dotted key."""
    path = resources.files("defcoop.web").joinpath("locales", f"{lang}.yaml")
    return _flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language if valid, else the first supported one the browser asks for."""
    if cookie in LANGS:
        return str(cookie)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG


@dataclass(frozen=True, slots=True)
class Translator:
    """``t(key, **kw)`` in one language, with the display-name helpers templates use."""

    lang: str

    def __call__(self, key: str, **kw: Any) -> str:
        text = messages(self.lang).get(key)
        if text is None:
            text = messages("en").get(key, key)
        if kw:
            try:
                return text.format(**kw)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def has(self, key: str) -> bool:
        return key in messages(self.lang) or key in messages("en")

    def _code(self, group: str, code: str | None) -> str:
        if code is None or code == "":
            return "—"
        key = f"{group}.{code}"
        return self(key) if self.has(key) else str(code)

    def kind(self, code: str | None) -> str:
        return self._code("kind", code)

    def level(self, code: str | None) -> str:
        return self._code("level", code)

    def state(self, code: str | None) -> str:
        return self._code("state", code)

    def status(self, code: str | None) -> str:
        return self._code("status", code)

    def region(self, code: str | None) -> str:
        return self._code("region", code)

    def role(self, code: str | None) -> str:
        return self._code("role", code)

    def precision(self, code: str | None) -> str:
        return self._code("precision", code)

    def modality(self, code: str | None) -> str:
        return self._code("modality", code)

    def block(self, code: str | None) -> str:
        return self._code("block", code)

    def axis(self, code: str | None) -> str:
        return self._code("axis", code)

    def field(self, code: str | None) -> str:
        return self._code("field", code)

    def partner(self, code: str | None) -> str:
        return partner_name(code, self.lang)

    def partners(self, codes: Any) -> str:
        return (
            "、".join(self.partner(c) for c in codes)
            if self.lang == "ja"
            else ", ".join(self.partner(c) for c in codes)
        )


def partner_name(code: str | None, lang: str) -> str:
    """The registry's name of ``code`` in ``lang`` (the code itself when unknown)."""
    if not code:
        return "—"
    reg = registry()
    if reg.get(code) is None:
        return code
    return reg.name(code, "ja" if lang == "ja" else "en")


def request_lang(request: Any) -> str:
    """The language of a request (cached on ``request.state``)."""
    lang = getattr(request.state, "lang", None)
    if lang is None:
        lang = negotiate(request.cookies.get(COOKIE), request.headers.get("accept-language"))
        request.state.lang = lang
    return str(lang)


def translator(lang: str) -> Translator:
    return Translator(lang if lang in LANGS else DEFAULT_LANG)

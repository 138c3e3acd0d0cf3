"""What the web shows that the query layer does not (yet) serve as one call, built from
public APIs and cached while the store does not change.

* ``frameworks`` — the frameworks stored by the knowledge base
  (``defcoop.kb.frameworks.stored_frameworks``; parsed from the current documents when a
  store has none stored yet);
* ``achievements`` / ``status`` — ``defcoop.kb.frameworks.achievements`` (stored event
  links, curated ones included) and ``implementation_status`` per initiative;
* ``agreement_history`` — ``defcoop.kb.agreements`` built exactly as ``defcoop
  agreements`` builds it (agreement events + "as of" status statements of the current
  documents), plus the agreement statuses curators added (``curate add status``).

The only reads below the query layer are ``current_texts`` (the full text of each
current document version, which status statements and framework parsers need) and
``curated_statuses``; they are the candidates to move into the query layer.
Results are cached per store and recomputed when the *fingerprint* changes: the
content hashes of the current documents and the id of the latest audit-log entry
(every curation writes one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from defcoop.frameworks import Framework, find_framework, framework_to_json, parse_all
from defcoop.frameworks.model import Achievement
from defcoop.frameworks.status import ImplementationStatus
from defcoop.kb import frameworks as kbf
from defcoop.kb.agreements import (
    AgreementHistory,
)
from defcoop.kb.curation import audit_log
from defcoop.query.agreement_history import (
    build_agreement_history,
    current_texts,
)
from defcoop.store import Store

T = TypeVar("T")


def fingerprint(store: Store) -> tuple[Any, ...]:
    docs = tuple((d.doc_key, d.content_hash) for d in store.list_documents())
    last = audit_log(store, limit=1)
    return docs, (last[0].id if last else None)


def load_frameworks(store: Store) -> list[Framework]:
    return kbf.stored_frameworks(store) or parse_all(current_texts(store))


@dataclass
class _Slot:
    key: Any = None
    value: Any = None


@dataclass
class SourceCache:
    """Per-store cache of the derived views above (thread-safe; re-entrant because one
    view may be built from another)."""

    store: Store
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _slots: dict[str, _Slot] = field(default_factory=dict)

    def _get(self, name: str, build: Callable[[Store], T]) -> T:
        key = fingerprint(self.store)
        with self._lock:
            slot = self._slots.setdefault(name, _Slot())
            if slot.key != key:
                slot.value = build(self.store)
                slot.key = key
            return slot.value

    def frameworks(self) -> list[Framework]:
        return self._get("frameworks", load_frameworks)

    def achievements(self, framework: str) -> list[Achievement]:
        return self._get(f"achievements:{framework}", lambda st: kbf.achievements(st, framework))

    def status(self, fw: Framework) -> list[ImplementationStatus]:
        return self._get(
            f"status:{fw.id}",
            lambda st: kbf.implementation_status(st, fw, self.achievements(fw.id)),
        )

    def agreement_history(self) -> AgreementHistory:
        return self._get("agreements", build_agreement_history)

    def framework(self, name: str) -> Framework | None:
        return find_framework(self.frameworks(), name)

    def framework_json(self, name: str, *, detail: bool = False) -> dict[str, Any] | None:
        fw = self.framework(name)
        if fw is None:
            return None
        return framework_to_json(fw, self.achievements(fw.id), detail=detail)

    def matrix(self, as_of: str, types: Any = None) -> list[dict[str, Any]]:
        h = self.agreement_history()
        return h.matrix(as_of, types) if types else h.matrix(as_of)

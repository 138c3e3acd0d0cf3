"""``resolve(store)``: bring the knowledge base in line with the stored documents.

Ingest calls it after writing documents; curation tools may call it after a change.
Each step is idempotent, writes only what changed, and runs in its own transaction:

1. partner registry -> ``partners`` / ``group_memberships`` (``kb.registry``);
2. cross-document deduplication -> ``events.merged_into_id`` (``kb.dedup``);
3. persons and role tenures from dated mentions (``kb.people``);
4. verification axes per event, using the tenures (``kb.axes``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from time import perf_counter
from typing import Any

from defcoop.kb.axes import AxesResult, update_axes
from defcoop.kb.dedup import DedupResult, deduplicate
from defcoop.kb.frameworks import resolve_frameworks
from defcoop.kb.people import PeopleResult, build_people
from defcoop.kb.registry import SyncResult, sync_registry
from defcoop.store import Store


@dataclass(slots=True)
class ResolveReport:
    registry: SyncResult = field(default_factory=SyncResult)
    dedup: DedupResult = field(default_factory=DedupResult)
    people: PeopleResult = field(default_factory=PeopleResult)
    axes: AxesResult = field(default_factory=AxesResult)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve(store: Store) -> ResolveReport:
    """Run every knowledge-base step over ``store`` (see the module docstring)."""
    t0 = perf_counter()
    rep = ResolveReport()
    rep.registry = sync_registry(store)
    rep.dedup = deduplicate(store)
    rep.people = build_people(store)
    rep.axes = update_axes(store)
    resolve_frameworks(store)  # frameworks from the documents, then event -> pillar links
    rep.seconds = perf_counter() - t0
    return rep

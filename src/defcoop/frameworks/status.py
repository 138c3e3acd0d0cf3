"""Implementation status per initiative (and per cooperation area) from linked achievements.

An initiative is ``carried_out`` when at least one achievement links to it, else
``none_yet``; the status gives the first and latest dates, the number of linked
events and the partners reached. A curator can override the derived state with a
note (the derived values stay visible beside the override).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Achievement, Framework

NONE_YET = "none_yet"
CARRIED_OUT = "carried_out"
STATES = (NONE_YET, CARRIED_OUT, "in_progress", "completed", "dropped")


@dataclass(slots=True)
class StatusOverride:
    framework: str
    target: str  # initiative name, or cooperation area name
    state: str  # one of STATES
    note: str
    curator: str | None = None
    at: str | None = None  # ISO timestamp of the decision


@dataclass(slots=True)
class ImplementationStatus:
    framework: str
    target: str
    target_kind: str  # "initiative" | "area"
    pillars: list[int]
    state: str
    derived_state: str
    first_date: str | None = None
    latest_date: str | None = None
    count: int = 0
    partners: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    new: bool | None = None
    override_note: str | None = None
    overridden_by: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework,
            "target": self.target,
            "target_kind": self.target_kind,
            "pillars": list(self.pillars),
            "state": self.state,
            "derived_state": self.derived_state,
            "first_date": self.first_date,
            "latest_date": self.latest_date,
            "count": self.count,
            "partners": list(self.partners),
            "events": list(self.events),
            "new": self.new,
            "override_note": self.override_note,
            "overridden_by": self.overridden_by,
        }


def implementation_status(
    fw: Framework,
    achievements: Iterable[Achievement],
    overrides: Iterable[StatusOverride] = (),
) -> list[ImplementationStatus]:
    """One status per initiative of ``fw`` and per cooperation area of its pillars."""
    out: list[ImplementationStatus] = []
    index: dict[tuple[str, str], ImplementationStatus] = {}
    for ini in fw.initiatives:
        st = ImplementationStatus(
            fw.id, ini.name, "initiative", list(ini.pillars), NONE_YET, NONE_YET, new=ini.new
        )
        out.append(st)
        index[("initiative", ini.name)] = st
    for p in fw.pillars:
        for area in p.cooperation_areas:
            key = ("area", area.name)
            if key in index:
                index[key].pillars.append(p.number)
                continue
            st = ImplementationStatus(fw.id, area.name, "area", [p.number], NONE_YET, NONE_YET)
            out.append(st)
            index[key] = st
    for a in achievements:
        targets: set[tuple[str, str]] = set()
        for lk in a.links:
            if lk.framework != fw.id:
                continue
            if lk.initiative:
                targets.add(("initiative", lk.initiative))
            if lk.area:
                targets.add(("area", lk.area))
        for key in targets:
            hit = index.get(key)
            if hit is None:
                continue
            hit.count += 1
            hit.events.append(a.event)
            if a.date:
                if hit.first_date is None or a.date < hit.first_date:
                    hit.first_date = a.date
                if hit.latest_date is None or a.date > hit.latest_date:
                    hit.latest_date = a.date
            for code in a.partners:
                if code not in hit.partners:
                    hit.partners.append(code)
    for s in out:
        s.partners.sort()
        s.derived_state = CARRIED_OUT if s.count else NONE_YET
        s.state = s.derived_state
    for ov in overrides:
        if ov.framework != fw.id:
            continue
        for s in out:
            if s.target == ov.target:
                s.state = ov.state
                s.override_note = ov.note
                s.overridden_by = ov.curator
    return out

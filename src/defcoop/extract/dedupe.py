"""Records of one document that tell the same act twice are kept once."""

from __future__ import annotations

from typing import Any

from defcoop.records import Event


def merge_same_occasion(events: list[Event]) -> list[Event]:
    """Records of one line that tell the same act twice are one: conferences with
    the same date (…に参加し、…パネルディスカッションを行う), and acts of one kind
    with the same date and partners (テレビ会談にて、…と懇談)."""
    out: list[Event] = []
    for e in events:
        twin = next(
            (
                o
                for o in out
                if o.kind == e.kind
                and o.date == e.date
                and o.line == e.line
                and e.kind != "agreement"
                and (
                    e.kind == "conference"
                    or (o.partners == e.partners and not (o.participants and e.participants))
                )
                and o.count == e.count
            ),
            None,
        )
        if twin is not None:
            twin.partners = sorted(set(twin.partners) | set(e.partners))
            if twin.modality == "in_person" and e.modality in ("video", "phone"):
                twin.modality = e.modality
            continue
        out.append(e)
    return out


def _compatible(a: str | None, b: str | None) -> bool:
    """One date contains the other (a month contains its days)."""
    a, b = a or "", b or ""
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _rule(e: Event) -> str:
    return e.evidence.rules.get("kind", "") if e.evidence else ""


def dedupe(events: list[Event]) -> list[Event]:
    """An event retold in the same document is kept once: same kind, partners,
    Japanese principal and agreement type, compatible dates. The telling with
    the most precise date is kept (a table row beats a summary sentence)."""
    out: list[Event] = []
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for e in events:
        key = (e.kind, tuple(sorted(e.partners)), (e.agreement or {}).get("type"))
        idx = next(
            (
                i
                for i in by_key.get(key, ())
                if _compatible(out[i].date, e.date)
                and (
                    out[i].jp_role == e.jp_role
                    or e.kind != "meeting"
                    or None in (out[i].jp_role, e.jp_role)
                )
                and (out[i].line != e.line or e.kind == "agreement")
                and not (_rule(out[i]) == _rule(e) == "table:meeting-row")
            ),
            None,
        )
        if idx is None:
            by_key.setdefault(key, []).append(len(out))
            out.append(e)
        elif len(e.date or "") > len(out[idx].date or ""):
            out[idx] = e
    return out

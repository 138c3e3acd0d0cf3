"""Scoring of event records against a gold set (the rule of gold/GUIDELINES.md).

A predicted record matches a gold record when doc, kind, date (at the gold
precision, cut to month), the partner set and, for agreements, the agreement
type are equal; pairs are one-to-one, the nearest line wins. Field accuracies
(jp_role, modality, location, agreement status) are computed over matched pairs.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Record = dict[str, Any]
FIELDS = ("jp_role", "modality", "location", "agreement_status")


def load_jsonl(path: Path) -> list[Record]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    out: list[Record] = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{f}:{n}: not JSON: {e}") from e
    return out


def load_coverage(path: Path | None) -> dict[str, list[tuple[int, float]]]:
    cov: dict[str, list[tuple[int, float]]] = defaultdict(list)
    if path is None or not path.exists():
        return cov
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        doc, first, last = line.split("\t")[:3]
        cov[doc].append((int(first), float("inf") if last.strip() == "end" else int(last)))
    return cov


def _covered(rec: Record, cov: dict[str, list[tuple[int, float]]]) -> bool:
    ranges = cov.get(rec.get("doc", ""))
    if ranges is None:
        return True
    line = rec.get("line") or 0
    return any(a <= line <= b for a, b in ranges)


def _key(rec: Record, precision: int) -> tuple[Any, ...]:
    ag = (rec.get("agreement") or {}).get("type") if rec.get("kind") == "agreement" else None
    return (
        rec.get("doc"),
        rec.get("kind"),
        (rec.get("date") or "")[:precision],
        tuple(sorted(rec.get("partners") or [])),
        ag,
    )


def match(
    gold: list[Record], pred: list[Record]
) -> tuple[list[tuple[Record, Record]], list[Record], list[Record]]:
    by_key: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, p in enumerate(pred):
        by_key[_key(p, 7)].append(i)
        if len(p.get("date") or "") >= 7:
            by_key[_key(p, 4)].append(i)
    used: set[int] = set()
    pairs: list[tuple[Record, Record]] = []
    missed: list[Record] = []
    for g in gold:
        precision = min(len(g.get("date") or ""), 7)
        cands = [i for i in by_key.get(_key(g, precision), []) if i not in used]
        if not cands:
            missed.append(g)
            continue
        best = min(cands, key=lambda i: abs((pred[i].get("line") or 0) - (g.get("line") or 0)))
        used.add(best)
        pairs.append((g, pred[best]))
    spurious = [p for i, p in enumerate(pred) if i not in used]
    return pairs, missed, spurious


@dataclass
class Score:
    gold: int
    pred: int
    tp: int

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    overall: Score
    per_kind: dict[str, Score]
    fields: dict[str, float | None]
    missed: list[Record] = field(default_factory=list)
    spurious: list[Record] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def s(x: Score) -> dict[str, Any]:
            return {
                "precision": round(x.precision, 4),
                "recall": round(x.recall, 4),
                "f1": round(x.f1, 4),
                "tp": x.tp,
                "gold": x.gold,
                "pred": x.pred,
            }

        return {
            "overall": s(self.overall),
            "per_kind": {k: s(v) for k, v in self.per_kind.items()},
            "field_accuracy": self.fields,
        }


def _field(rec: Record, f: str) -> Any:
    if f == "agreement_status":
        return (rec.get("agreement") or {}).get("status")
    return rec.get(f)


def score(
    gold: Iterable[Record],
    pred: Iterable[Record],
    coverage: dict[str, list[tuple[int, float]]] | None = None,
) -> Report:
    gold = list(gold)
    docs = {g["doc"] for g in gold}
    cov = coverage or {}
    gold = [g for g in gold if _covered(g, cov)]
    pred = [p for p in pred if p.get("doc") in docs and _covered(p, cov)]
    pairs, missed, spurious = match(gold, pred)
    kinds = sorted({g["kind"] for g in gold} | {p["kind"] for p in pred if p.get("kind")})
    tp_k = Counter(g["kind"] for g, _ in pairs)
    g_k = Counter(g["kind"] for g in gold)
    p_k = Counter(p.get("kind") for p in pred)
    fields: dict[str, float | None] = {}
    for f in FIELDS:
        judged = [(g, p) for g, p in pairs if _field(g, f) is not None]
        fields[f] = (
            round(sum(_field(g, f) == _field(p, f) for g, p in judged) / len(judged), 4)
            if judged
            else None
        )
    return Report(
        Score(len(gold), len(pred), len(pairs)),
        {k: Score(g_k[k], p_k[k], tp_k[k]) for k in kinds},
        fields,
        missed,
        spurious,
    )

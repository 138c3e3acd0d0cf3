"""The scorer and a regression floor on the development gold (copied in tests/data)."""

from __future__ import annotations

from pathlib import Path

from defcoop.evaluate import load_coverage, load_jsonl, score
from defcoop.extract import extract_document
from defcoop.readers import read_path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "gold_dev"
CORPUS = ROOT / "examples" / "corpus"

# The level reached when this floor was set (dev F1 0.99); a drop below fails.
FLOOR_OVERALL = 0.97
FLOOR_PER_KIND = 0.90
FLOOR_FIELDS = {"jp_role": 0.95, "modality": 0.95}


def test_matching_rule() -> None:
    gold = [
        {"doc": "d", "line": 1, "kind": "meeting", "date": "2024-05", "partners": ["AUS"]},
        {
            "doc": "d",
            "line": 2,
            "kind": "agreement",
            "date": "2024",
            "partners": ["GBR"],
            "agreement": {"type": "RAA", "status": "signed"},
        },
    ]
    pred = [
        {
            "doc": "d",
            "line": 1,
            "kind": "meeting",
            "date": "2024-05-09",
            "partners": ["AUS"],
            "modality": "in_person",
        },
        {
            "doc": "d",
            "line": 2,
            "kind": "agreement",
            "date": "2024-07",
            "partners": ["GBR"],
            "agreement": {"type": "ACSA", "status": "signed"},
        },
    ]
    rep = score(gold, pred)
    assert rep.overall.tp == 1  # day precision cut to the gold's month; wrong agreement type
    assert rep.per_kind["agreement"].recall == 0.0


def test_regression_floor_on_dev_gold() -> None:
    preds = []
    for path in sorted(CORPUS.glob("*.txt")):
        preds.extend(e.to_gold() for e in extract_document(read_path(path)))
    rep = score(load_jsonl(GOLD), preds, load_coverage(GOLD / "COVERAGE.tsv"))
    assert rep.overall.f1 >= FLOOR_OVERALL, rep.to_dict()
    for kind, s in rep.per_kind.items():
        assert s.f1 >= FLOOR_PER_KIND, (kind, rep.to_dict())
    for f, floor in FLOOR_FIELDS.items():
        assert (rep.fields[f] or 0) >= floor, (f, rep.fields)

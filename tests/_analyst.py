"""Shared data for the analyst-interface tests (query, analytics, report, export, api).

* ``corpus_store(request, tmp_path_factory)`` -- the bundled corpus ingested once per
  backend per test session (read-only: tests must not write to it).
* ``write_synthetic(store)`` -- a small hand-made document with events whose every field
  is known, for exact assertions; returns label -> event id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from defcoop import records as r
from defcoop.ingest import ingest_paths
from defcoop.segment import segment
from defcoop.store import Store
from defcoop.store import models as m

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
TEMPLATE_DB = "defcoop_template"

_CACHE: dict[str, Store] = {}


def corpus_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    backend: str | None = None,
) -> Store:
    """The corpus, ingested once per backend (``request.param`` by default) per session."""
    backend = backend or request.param
    if backend in _CACHE:
        return _CACHE[backend]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'corpus.db'}"
        drop = None
    else:
        server = request.getfixturevalue("pg_server")
        name = server.create_db(TEMPLATE_DB)
        url = server.url(name)
        drop = (server, name)
    store = Store.open(url)
    report = ingest_paths(store, [CORPUS])
    assert report.ok, report.errors
    _CACHE[backend] = store

    def cleanup() -> None:
        store.close()
        _CACHE.pop(backend, None)
        if drop is not None:
            with contextlib.suppress(Exception):
                drop[0].drop_db(drop[1])

    request.session.config.add_cleanup(cleanup)
    return store


# --------------------------------------------------------------------------- synthetic

DOC = "synthetic_analyst"

#: label -> (text line, kind, date, end, partners, jp_role, extra fields, state)
EVENTS: dict[
    str, tuple[str, str, str | None, str | None, list[str], str | None, dict[str, Any], str]
] = {
    "E1": (
        "2024年5月、木原防衛大臣は、マールズ豪国防大臣とハワイで会談を行った。",
        "meeting",
        "2024-05",
        None,
        ["AUS"],
        "MOD_MIN",
        {"location": "ハワイ", "modality": "in_person", "jp_name": "木原"},
        "automatic",
    ),
    "E2": (
        "2024年7月、吉田統幕長は、フィリピン国軍参謀総長とテレビ会談を行った。",
        "meeting",
        "2024-07",
        None,
        ["PHL"],
        "CHOD",
        {"modality": "video"},
        "verified",
    ),
    "E3": (
        "2023年11月、海自の護衛艦がマニラに寄港した。",
        "port_call",
        "2023-11",
        None,
        ["PHL"],
        "MSDF",
        {"location": "マニラ"},
        "automatic",
    ),
    "E4": (
        "2024年、防衛大臣は日ASEAN防衛担当大臣会合に出席した。",
        "conference",
        "2024",
        None,
        ["ASEAN"],
        "MOD_MIN",
        {},
        "automatic",
    ),
    "E5": (
        "2025年2月、陸自は、インドネシア陸軍と共同訓練を実施した。",
        "exercise",
        "2025-02",
        None,
        ["IDN"],
        "GSDF",
        {},
        "corrected",
    ),
    "E6": (
        "2024年9月、岸田内閣総理大臣は、モディ・インド首相と電話会談を行った。",
        "meeting",
        "2024-09",
        None,
        ["IND"],
        "PM",
        {"modality": "phone"},
        "automatic",
    ),
    "E7": (
        "2024年11月、日米豪比韓防衛相会談を行った。",
        "meeting",
        "2024-11",
        None,
        ["AUS", "KOR", "PHL", "USA"],
        "MOD_MIN",
        {},
        "automatic",
    ),
    "E8": (
        "2024年12月から2025年2月にかけて、空自は、ベトナム空軍に対し能力構築支援事業を行った。",
        "capacity_building",
        "2024-12",
        "2025-02",
        ["VNM"],
        "ASDF",
        {},
        "automatic",
    ),
    "E9": (
        "日付のない英仏との交流を行った。",
        "other",
        None,
        None,
        ["FRA", "GBR"],
        None,
        {},
        "automatic",
    ),
    "E10": (
        "2024年8月、防衛省はフィリピンとの円滑化協定に署名した。",
        "agreement",
        "2024-08",
        None,
        ["PHL"],
        "MOD",
        {"agreement": {"type": "RAA", "status": "signed"}},
        "automatic",
    ),
    "E11": (
        "2024年6月、防衛大臣はフィリピン国防大臣と会談を行った(誤抽出)。",
        "meeting",
        "2024-06",
        None,
        ["PHL"],
        "MOD_MIN",
        {},
        "rejected",
    ),
    "E12": (
        "2025年11月、防衛副大臣は、東ティモール国防副大臣と会談を行った。",
        "meeting",
        "2025-11",
        None,
        ["TLS"],
        "MOD_SVM",
        {},
        "automatic",
    ),
    "E13": (
        "2024年3月、防衛副大臣は、東ティモール国防副大臣と会談を行った。",
        "meeting",
        "2024-03",
        None,
        ["TLS"],
        "MOD_SVM",
        {},
        "automatic",
    ),
}
TEXT = "\n".join(v[0] for v in EVENTS.values()) + "\n"


def write_synthetic(store: Store) -> dict[str, str]:
    """Store the synthetic document and events; label -> event id."""
    doc = r.Document(
        doc_id=DOC, text=TEXT, source_path=f"{DOC}.txt", content_hash="synthetic-analyst-v1"
    )
    segs = segment(doc)
    events = []
    offset = 0
    for line, (label, (text, kind, date, end, partners, role, extra, _state)) in enumerate(
        EVENTS.items(), start=1
    ):
        ev = r.Event(
            doc=DOC,
            line=line,
            kind=kind,
            date=date,
            end=end,
            partners=list(partners),
            jp_role=role,
            quote=text[:-1],
            evidence=r.Evidence(
                DOC, offset, offset + len(text), line, rules={"kind": f"test:{label}"}
            ),
            **extra,
        )
        events.append(ev)
        offset += len(text) + 1
    store.write_document(doc, segs, events)
    ids: dict[str, str] = {}
    with store.session() as s:
        rows = s.execute(m.Event.__table__.select().where(m.Event.doc_key == DOC)).all()
        by_line = {row.line: row.id for row in rows}
        for line, (label, spec) in enumerate(EVENTS.items(), start=1):
            ids[label] = by_line[line]
            if spec[7] != "automatic":
                s.execute(update(m.Event).where(m.Event.id == by_line[line]).values(state=spec[7]))
    return ids


def labels(ids: dict[str, str], rows: Any) -> set[str]:
    """The labels of the synthetic events among ``rows`` (EventRows or ids)."""
    back = {v: k for k, v in ids.items()}
    out = set()
    for row in rows:
        eid = row if isinstance(row, str) else row.id
        if eid in back:
            out.add(back[eid])
    return out


def synthetic_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, dict[str, str]]]:
    """A fresh store with only the synthetic events (one per backend per module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('synthetic') / 'synthetic.db'}"
        drop = None
    else:
        server = request.getfixturevalue("pg_server")
        name = server.create_db(TEMPLATE_DB)
        url = server.url(name)
        drop = (server, name)
    store = Store.open(url)
    try:
        yield store, write_synthetic(store)
    finally:
        store.close()
        if drop is not None:
            with contextlib.suppress(Exception):
                drop[0].drop_db(drop[1])

"""The Python API (``import defcoop``) and the README's Python API example."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import defcoop
from _analyst import ROOT, corpus_store, write_synthetic
from defcoop.query import EventRow, Facets, Page
from defcoop.store import Store


def test_import_defcoop_is_light() -> None:
    code = "import sys, defcoop, defcoop.extract; print('sqlalchemy' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]
    assert defcoop.__version__


def test_functions_on_a_store(store: Store, tmp_path: Path) -> None:
    ids = write_synthetic(store)
    page = defcoop.events(store=store, partner="PHL", level="units")
    assert isinstance(page, Page) and [e.id for e in page] == [ids["E3"]]
    assert isinstance(page.items[0], EventRow)
    detail = defcoop.event(ids["E3"], store=store)
    assert detail is not None and detail.evidence[0].line == 3
    fc = defcoop.facets(store=store, partner="フィリピン")
    assert isinstance(fc, Facets) and fc.total == 4
    rows = defcoop.stats("kind", store=store, since="2025")
    assert {r.keys["kind"]: r.count for r in rows} == {
        "exercise": 1,
        "meeting": 1,
        "capacity_building": 1,
    }
    g = defcoop.network(store=store)
    assert g.number_of_edges() == 7
    profile = defcoop.report("partner", "PHL", store=store)
    assert profile.code == "PHL" and profile.total == 4
    written = defcoop.report("period", 2024, store=store, path=tmp_path / "y.md")
    assert written[0].exists() and written[0].suffix == ".md"
    paths = defcoop.export(
        tmp_path / "out", store=store, tables=["events"], fmt="csv", partner="PHL"
    )
    assert [p.name for p in paths] == ["events.csv"]
    assert len(paths[0].read_text("utf-8").splitlines()) == 5
    with pytest.raises(ValueError):
        defcoop.report("country", "PHL", store=store)


def test_default_store(tmp_path: Path) -> None:
    from defcoop import api

    st = defcoop.open_store(f"sqlite:///{tmp_path / 'api.db'}")
    try:
        assert api._default is st
        write_synthetic(st)
        assert defcoop.events(kind="exercise").total == 1  # no store= : the one opened last
    finally:
        st.close()
        api._default = None


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Python API", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "README has no Python example in its Python API section"
    return blocks[0]


@pytest.fixture(scope="module")
def corpus_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's SQLite corpus store, as a file path."""

    st = corpus_store(request, tmp_path_factory, "sqlite")
    return Path(st.engine.url.database or "")


def test_readme_example_runs(
    tmp_path: Path,
    corpus_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's example, run as written from a copy of the repository layout (the store
    it opens is a copy of the ingested corpus, so its ``ingest`` finds every file unchanged)."""
    from defcoop import api

    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "corpus").symlink_to(ROOT / "examples" / "corpus")
    with sqlite3.connect(corpus_db) as src, sqlite3.connect(tmp_path / "defcoop-demo.db") as dst:
        src.backup(dst)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEFCOOP_DB", raising=False)
    namespace: dict[str, object] = {"__name__": "readme_example"}
    try:
        exec(compile(_readme_example(), "README.md", "exec"), namespace)
    finally:
        if api._default is not None:
            api._default.close()
        api._default = None
    out = capsys.readouterr().out
    assert "two_plus_two" in out
    assert (tmp_path / "india.html").exists() and (tmp_path / "india.kinds.png").exists()
    assert (tmp_path / "overview-2024.xlsx").exists()
    assert (tmp_path / "export" / "events.parquet").exists()
    assert namespace["report"].documents["failed"] == 0  # type: ignore[attr-defined]


def test_readme_example_mentions_every_api_function() -> None:
    example = _readme_example()
    for name in (
        "open_store",
        "ingest",
        "events",
        "event",
        "facets",
        "stats",
        "network",
        "report",
        "export",
    ):
        assert f"defcoop.{name}(" in example, name

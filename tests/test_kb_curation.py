"""Curation round trip with the real pipeline (SQLite and PostgreSQL): ingest, curate,
change the document, ingest again -- the corrected value stays, the rejected event is
not resurrected, the manual event remains, the audit log says who/when/what/why, and a
stale edit is refused. Plus the ``defcoop curate`` commands and unresolved values."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from defcoop.cli import app
from defcoop.ingest import ingest_paths
from defcoop.kb import curation
from defcoop.kb.axes import axes_of
from defcoop.kb.curation import CurationError, StaleEditError
from defcoop.kb.resolve import resolve
from defcoop.records import Document, Event, Evidence, Segment
from defcoop.store import Store
from defcoop.store import models as m

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
DOC = "001_965bdcae5678aeac"


@pytest.fixture
def doc_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "docs" / f"{DOC}.txt"
    dest.parent.mkdir()
    shutil.copyfile(CORPUS / f"{DOC}.txt", dest)
    dest.chmod(0o644)
    return dest


def events(store: Store) -> list[m.Event]:
    with store.session() as s:
        return list(s.scalars(select(m.Event).order_by(m.Event.line, m.Event.id)))


def find(store: Store, **where: object) -> m.Event:
    found = [e for e in events(store) if all(getattr(e, k) == v for k, v in where.items())]
    assert len(found) == 1, (where, [(e.kind, e.date, e.line) for e in found])
    return found[0]


def test_curation_survives_reingest(store: Store, doc_copy: Path) -> None:
    first = ingest_paths(store, [doc_copy])
    assert first.count("new") == 1
    meeting = find(store, kind="conference", date="2025-02-11")
    mention = find(store, kind="conference", date="2023-11")  # a reference, not an event here
    assert meeting.location == "福岡"
    # -- curate ---------------------------------------------------------------------------------
    fixed = curation.correct(
        store, "event", meeting.id, "location", "福岡市", user="alice",
        reason="the city, as the ministry's release says", expected_version=meeting.version,
    )  # fmt: skip
    assert fixed.version == meeting.version + 1
    curation.reject(store, "event", mention.id, user="bob",
                    reason="the 8th meeting is only referred to here")  # fmt: skip
    added = curation.add_event(
        store, user="alice", reason="told in the annex, missed by the extractor",
        kind="meeting", date="2025-02-11", partners=["TLS"], jp_role="MOD_VMIA",
        jp_name="加野", location="福岡", source_doc=DOC, source_quote="東ティモールがオブザーバーとして参加",
    )  # fmt: skip
    # -- stale edit: an editor still holding the version they loaded before alice's change
    with pytest.raises(StaleEditError) as err:
        curation.correct(store, "event", meeting.id, "location", "博多", user="carol",
                         expected_version=meeting.version)  # fmt: skip
    msg = str(err.value)
    assert "stale edit refused" in msg and f"version {meeting.version}" in msg
    assert f"version {fixed.version}" in msg and meeting.id in msg
    # -- the document changes, and is ingested again ---------------------------------------------
    text = doc_copy.read_text("utf-8")
    changed = text.replace("福岡において第14回", "福岡県福岡市において第14回", 1).replace(
        "本会合では、", "本会合では、改めて、", 1
    )
    assert changed != text
    doc_copy.write_text("（更新版）\n" + changed, "utf-8")
    second = ingest_paths(store, [doc_copy])
    assert second.count("updated") == 1
    after = {e.id: e for e in events(store)}
    kept = after[meeting.id]
    assert kept.location == "福岡市" and kept.state == "corrected"  # the curated value stays
    assert kept.provenance["location"]["status"] == "corrected"
    assert kept.line == 7  # pointers follow the new version
    assert after[mention.id].state == "rejected"  # not resurrected ...
    assert [e for e in after.values() if e.kind == "conference" and e.date == "2023-11"] == [
        after[mention.id]
    ]  # ... nor re-created under another id
    manual = after[added.id]
    assert manual.state == "manual" and manual.doc_key is None and manual.location == "福岡"
    bundle = curation_bundle(store, added.id)
    assert bundle == [(DOC, "manual")]
    # -- the audit log: who, when, field, before, after, reason --------------------------------
    log = curation.audit_log(store)
    by_action = {(c.action, c.entity_id): c for c in log}
    corr = by_action[("correct", meeting.id)]
    assert (corr.actor, corr.field, corr.before, corr.after) == (
        "alice",
        "location",
        "福岡",
        "福岡市",
    )
    assert corr.reason and corr.at is not None
    rej = by_action[("reject", mention.id)]
    assert (rej.actor, rej.field, rej.before, rej.after) == (
        "bob",
        "state",
        "automatic",
        "rejected",
    )
    add = by_action[("add", added.id)]
    assert add.after["kind"] == "meeting" and add.after["partners"] == ["TLS"]
    assert not any(c.actor == "carol" for c in log)  # the refused edit left no trace
    # axes: the corrected location is no axis; the manual event's axes are curated
    assert axes_of(store, added.id)["source"]["status"] == "corrected"


def curation_bundle(store: Store, event_id: str) -> list[tuple[str, str]]:
    from defcoop.kb.dedup import evidence_bundle

    return [(b.doc_key, b.origin) for b in evidence_bundle(store, event_id)]


def test_verify_locks_and_restore(store: Store, doc_copy: Path) -> None:
    ingest_paths(store, [doc_copy])
    conf = find(store, kind="conference", date="2025-02-11")
    res = curation.verify(store, "event", conf.id, user="alice", fields=["date", "partners"])
    assert res.changes[0].field == "date,end,partners"
    ax = axes_of(store, conf.id)
    assert ax["date"]["status"] == "verified" and ax["partners"]["status"] == "verified"
    assert ax["date"]["rule"] == "curated:alice"
    curation.verify(store, "event", conf.id, user="alice")
    assert find(store, id=conf.id).state == "verified"
    rejected = curation.reject(store, "event", conf.id, user="bob", reason="test")
    with pytest.raises(CurationError, match="rejected: restore it"):
        curation.correct(store, "event", conf.id, "location", "x", user="bob")
    curation.restore(store, "event", conf.id, user="bob", expected_version=rejected.version)
    assert find(store, id=conf.id).state == "corrected"  # its fields were verified before
    with pytest.raises(CurationError, match="cannot be corrected"):
        curation.correct(store, "event", conf.id, "version", 9, user="bob")
    with pytest.raises(CurationError, match="not a date"):
        curation.correct(store, "event", conf.id, "date", "2025-13", user="bob")
    with pytest.raises(CurationError, match="unknown partner"):
        curation.correct(store, "event", conf.id, "partners", "AUS,XXX", user="bob")
    with pytest.raises(CurationError, match="user is required"):
        curation.reject(store, "event", conf.id, user=" ")
    # partners correction replaces the set and marks the axis
    curation.correct(store, "event", conf.id, "partners", "ASEAN,TLS", user="bob")
    with store.session() as s:
        row = s.get_one(m.Event, conf.id)
        assert [p.partner_code for p in row.partners] == ["ASEAN", "TLS"]
        assert row.axes["partners"] == "corrected"
    # agreement status and participant through the same API
    st = curation.add_agreement_status(store, user="alice", partner="PHL", type="RAA",
                                       status="signed", date="2024-07-08", reason="signed in Manila")  # fmt: skip
    curation.correct(store, "agreement_status", st.id, "status", "in_force", user="alice",
                     expected_version=st.version)  # fmt: skip
    part = curation.add_participant(store, conf.id, user="alice", side="partner", name="ノエル",
                                    partner="TLS", role="国防副大臣")  # fmt: skip
    curation.reject(store, "participant", part.id, user="alice", reason="not present")
    with store.session() as s:
        assert s.get_one(m.AgreementStatus, st.id).status == "in_force"
        assert s.get_one(m.Participant, part.id).state == "rejected"


def test_unresolved_values_are_stored_as_unresolved(store: Store) -> None:
    text = "同年、防衛当局間協議を行った。\n2024年5月、日豪防衛相会談を行った。"
    doc = Document("undated", text, content_hash=hashlib.sha256(text.encode()).hexdigest())
    segs = [
        Segment("undated", 0, 0, 15, "body", [], 1, sentences=[(0, 15)]),
        Segment("undated", 1, 16, len(text), "body", [], 2, sentences=[(16, len(text))]),
    ]
    evs = [
        Event(doc="undated", line=1, kind="consultation", date=None, partners=["AUS"],
              jp_role="MOD", quote=text[:15],
              evidence=Evidence("undated", 0, 15, 1, 0, {"date": "unresolved:no-year-in-context"})),
        Event(doc="undated", line=2, kind="meeting", date="2024-05", partners=["AUS"],
              jp_role="MOD_MIN", quote=text[16:],
              evidence=Evidence("undated", 16, len(text), 2, 1, {"date": "abs:ym"})),
    ]  # fmt: skip
    store.write_document(doc, segs, evs)
    resolve(store)
    undated = find(store, kind="consultation")
    assert undated.date is None and undated.date_from is None and undated.precision == "unresolved"
    ax = axes_of(store, undated.id)
    assert ax["date"] == {
        "status": "unresolved",
        "rule": "unresolved:no-year-in-context",
        "cue": "no date could be resolved",
    }
    assert ax["counterpart"]["status"] == "unresolved"
    # a role implied by a meeting title with no known holder stays unresolved (not guessed)
    talk = find(store, kind="meeting")
    assert axes_of(store, talk.id)["role"]["status"] == "unresolved"
    assert undated.merged_into_id is None and talk.merged_into_id is None


def test_cli_curate(db_url: str, doc_copy: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(doc_copy), "--db", db_url, "-q"])
    assert res.exit_code == 0, res.output
    with Store.open(db_url) as store:
        conf = find(store, kind="conference", date="2025-02-11")
    base = ["--db", db_url, "--no-resolve"]
    res = runner.invoke(app, ["curate", "correct", conf.id, "location", "福岡市", "--user", "alice",
                              "--reason", "city", "--version", str(conf.version), *base])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert f"correct: event {conf.id} location: 福岡 -> 福岡市" in res.output
    res = runner.invoke(app, ["curate", "correct", conf.id, "location", "博多", "--user", "bob",
                              "--version", str(conf.version), *base])  # fmt: skip
    assert res.exit_code == 1 and "stale edit refused" in res.output
    res = runner.invoke(app, ["curate", "reject", conf.id, *base], env={"DEFCOOP_USER": ""})
    assert res.exit_code == 2 and "--user" in res.output
    res = runner.invoke(app, ["curate", "add", "event", "--kind", "meeting", "--date", "2025-02-11",
                              "--partner", "TLS", "--user", "alice", "--json", *base])  # fmt: skip
    assert res.exit_code == 0, res.output
    new_id = json.loads(res.output)["id"]
    res = runner.invoke(app, ["curate", "merge", new_id, conf.id, "--user", "alice", *base])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["curate", "show", conf.id, "--json", "--db", db_url])
    shown = json.loads(res.output)
    assert shown["location"] == "福岡市" and {s["event_id"] for s in shown["sources"]} == {conf.id}
    res = runner.invoke(app, ["curate", "unmerge", new_id, "--user", "alice", "-m", "oops", *base])
    assert res.exit_code == 0 and "merged_into" in res.output
    res = runner.invoke(app, ["curate", "log", "--json", "--db", db_url])
    log = json.loads(res.output)
    assert [e["action"] for e in log][:4] == ["unmerge", "merge", "add", "correct"]
    assert log[3]["actor"] == "alice" and log[3]["reason"] == "city"
    res = runner.invoke(app, ["curate", "add", "tenure", "--person", "加野", "--role", "MOD_VMIA",
                              "--country", "JPN", "--start", "2024-07", "--user", "alice", "--db", db_url])  # fmt: skip
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["people", "--role", "MOD_VMIA", "--country", "JPN", "--as-of",
                              "2024-12", "--json", "--db", db_url])  # fmt: skip
    assert [(h["name"], h["basis"]) for h in json.loads(res.output)] == [("加野", "curated")]

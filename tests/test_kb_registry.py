"""The partner registry in the store (SQLite and PostgreSQL): sync, regions, dated groups."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from defcoop.cli import app
from defcoop.extract.partners import registry
from defcoop.kb.registry import (
    RegistryError,
    group_members,
    groups_of,
    list_partners,
    sync_registry,
)
from defcoop.store import Store
from defcoop.store import models as m


def test_sync_copies_registry_once(store: Store) -> None:
    first = sync_registry(store)
    assert first.partners_added == len(registry()) and first.memberships_added > 300
    again = sync_registry(store)
    assert not again.changed  # idempotent: nothing written the second time
    with store.session() as s:
        kinds = dict(s.execute(select(m.Partner.kind, func.count()).group_by(m.Partner.kind)).all())
        asean = s.get_one(m.Partner, "ASEAN")
        phl = s.get_one(m.Partner, "PHL")
        jpn = s.get_one(m.Partner, "JPN")
    assert set(kinds) == {"country", "org", "group"}  # "organization" in the data file
    assert asean.kind == "org" and asean.region == "southeast_asia"
    assert phl.region == "southeast_asia" and "フィリピン共和国" in phl.aliases
    assert jpn.meta["is_self"] is True


def test_group_membership_resolved_on_the_date(store: Store) -> None:
    sync_registry(store)

    def tls(as_of: str) -> list[str | None]:
        return [
            p.status for p in list_partners(store, group="ASEAN", as_of=as_of) if p.code == "TLS"
        ]

    assert tls("2021-12-31") == []  # observer status granted 2022-11-11
    assert tls("2025-10-25") == ["observer"]
    assert tls("2025-10-26") == ["member"]
    assert tls("2025-10") == ["observer", "member"]  # a month spans the change
    assert "TLS" not in group_members(store, "ASEAN", "2025-10-25")
    members = group_members(store, "ASEAN", "2025-10-26")
    assert "TLS" in members and len(members) == 11
    assert group_members(store, "ASEAN", "1990") == ["BRN", "IDN", "MYS", "PHL", "SGP", "THA"]
    assert ("ASEAN", "member") in groups_of(store, "TLS", "2026-01-01")
    assert ("NATO", "member") in groups_of(store, "SWE", "2024-03-07")
    assert ("NATO", "member") not in groups_of(store, "SWE", "2024-03-06")
    # Japan belongs to G7 and the Quad but is never listed as a partner
    assert "JPN" not in group_members(store, "QUAD", "2024")
    assert group_members(store, "QUAD", "2024") == ["AUS", "IND", "USA"]


def test_regions_and_errors(store: Store) -> None:
    sync_registry(store)
    sea = {p.code for p in list_partners(store, region="Southeast Asia", kind="country")}
    assert sea == {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"}
    assert {p.region_name for p in list_partners(store, region="oceania_pacific")} == {
        "Oceania and Pacific Islands"
    }
    with pytest.raises(RegistryError, match="unknown region"):
        list_partners(store, region="Atlantis")
    with pytest.raises(RegistryError, match="unknown group"):
        list_partners(store, group="NOPE", as_of="2024")
    with pytest.raises(RegistryError, match="as-of"):
        list_partners(store, group="ASEAN", as_of="2024-13")


def test_cli_partners(db_url: str) -> None:
    runner = CliRunner()
    res = runner.invoke(
        app, ["partners", "--group", "ASEAN", "--as-of", "2025-10-25", "--json", "--db", db_url]
    )
    assert res.exit_code == 0, res.output
    rows = {(r["code"], r["status"]) for r in json.loads(res.output)}
    assert ("TLS", "observer") in rows and ("TLS", "member") not in rows
    res = runner.invoke(
        app, ["partners", "--group", "ASEAN", "--as-of", "2025-10-26", "--members-only",
              "--db", db_url],
    )  # fmt: skip
    assert res.exit_code == 0 and "TLS" in res.output and "member" in res.output
    res = runner.invoke(app, ["partners", "--region", "nowhere", "--db", db_url])
    assert res.exit_code == 2 and "unknown region" in res.output

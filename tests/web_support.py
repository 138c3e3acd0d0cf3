"""Fixtures of the web tests (loaded with ``pytest_plugins = ("web_support",)``).

The bundled corpus is ingested ONCE per backend and test session into a template store
that also holds three users (viewer, editor, admin) with passwords and API tokens; every
test then gets its own copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL), so write tests never see each other's changes and stay fast.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from defcoop.ingest import ingest_paths
from defcoop.store import Store
from defcoop.store.users import add_user, create_token
from defcoop.web import create_app

from conftest import BACKENDS  # isort: skip

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
PASSWORD = "correct-horse-42"
USERS = {"viewer": "vera", "editor": "eddie", "admin": "ada"}
SECRET = "test-secret-key-not-for-production"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Template:
    backend: str
    url: str
    tokens: dict[str, str] = field(default_factory=dict)  # role -> clear API token
    path: Path | None = None  # SQLite file
    dbname: str | None = None  # PostgreSQL database


def _populate(store: Store) -> dict[str, str]:
    report = ingest_paths(store, [CORPUS])
    assert report.ok, report.errors
    tokens = {}
    for role, name in USERS.items():
        add_user(store, name, role, PASSWORD, actor="tests")
        tokens[role], _ = create_token(store, name, label="tests", actor="tests")
    return tokens


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("web") / "corpus.db"
    url = f"sqlite:///{path}"
    store = Store.open(url)
    try:
        tokens = _populate(store)
        with store.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        store.close()
    return Template("sqlite", url, tokens, path=path)


@pytest.fixture(scope="session")
def postgresql_template(pg_server) -> Iterator[Template]:  # type: ignore[no-untyped-def]
    from conftest import TEMPLATE_DB  # isort: skip

    name = pg_server.create_db(TEMPLATE_DB)
    url = pg_server.url(name)
    store = Store.open(url)
    try:
        tokens = _populate(store)
    finally:
        store.close()
    yield Template("postgresql", url, tokens, dbname=name)
    with contextlib.suppress(Exception):
        pg_server.drop_db(name)


@pytest.fixture
def web_template(backend: str, request: pytest.FixtureRequest) -> Template:
    return request.getfixturevalue(f"{backend}_template")  # type: ignore[no-any-return]


@contextlib.contextmanager
def copy_of(template: Template, folder: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh copy of the ingested corpus store (with the three users)."""
    if template.backend == "sqlite":
        assert template.path is not None
        target = folder / "copy.db"
        shutil.copyfile(template.path, target)
        store = Store.open(f"sqlite:///{target}")
        try:
            yield store
        finally:
            store.close()
        return
    server = request.getfixturevalue("pg_server")
    assert template.dbname is not None
    name = server.create_db(template.dbname)
    store = Store.open(server.url(name))
    try:
        yield store
    finally:
        store.close()
        server.drop_db(name)


@pytest.fixture
def web_store(
    web_template: Template, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Store]:
    """A fresh copy of the corpus store for one test (write tests)."""
    with copy_of(web_template, tmp_path, request) as store:
        yield store


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Template, Store]]:
    """One copy of the corpus store per backend and test module (read-only tests)."""
    template: Template = request.getfixturevalue(f"{request.param}_template")
    with copy_of(template, tmp_path_factory.mktemp("shared"), request) as store:
        yield template, store


def client(store: Store, *, public: bool = False, **kw: object) -> TestClient:
    kw.setdefault("secret_key", SECRET)
    app = create_app(store, public=public, **kw)  # type: ignore[arg-type]
    return TestClient(app, raise_server_exceptions=False)


def bearer(template: Template, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {template.tokens[role]}"}


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no csrf_token in the page"
    return m.group(1)


def login(c: TestClient, role: str, password: str = PASSWORD) -> str:
    """Log ``c`` in as the user of ``role``; returns the session's CSRF token."""
    page = c.get("/login")
    token = csrf_of(page.text)
    r = c.post(
        "/login",
        data={"username": USERS[role], "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    return csrf_of(c.get("/search?limit=1").text)


def first_event_id(store: Store, **filters: object) -> str:
    from defcoop.query import EventQuery, search_events

    page = search_events(store, EventQuery.build(limit=1, sort="id", **filters))
    assert page.items, filters
    return page.items[0].id

"""End-to-end in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright)
against a real ``defcoop serve`` process on a free port.

search → event page (evidence highlighted) → log in as editor → correct a field → the
audit log shows it → re-ingest a changed document → the correction survives; the
language switch; a phone-width page; no CSP violation or script error on any page.
Screenshots go to ``test-artifacts/screenshots/`` (CI artifacts); with
``DEFCOOP_UPDATE_DOCS_IMG=1`` the dashboard, partner and event screenshots are also
copied to ``docs/img/`` for the README.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("web_support")

from web_support import CORPUS, PASSWORD, ROOT, USERS, Template, first_event_id  # noqa: E402

pytest_plugins = ("web_support",)
pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_IMG = ROOT / "docs" / "img"
SECRET = "browser-test-secret-key"

if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    pytest.skip(
        f"browser tests skipped: {CHROMIUM} not found (apt-get install -y chromium; "
        "`.ci/run` installs it)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev group) missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _defcoop() -> list[str]:
    script = Path(sys.executable).with_name("defcoop")
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from defcoop.cli import main; main()"]
    )


class Server:
    def __init__(self, url: str, db_url: str, log: Path, proc: subprocess.Popen[bytes]) -> None:
        self.url, self.db_url, self.log, self.proc = url, db_url, log, proc


@pytest.fixture(scope="module")
def server(sqlite_template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``defcoop serve --public`` on a copy of the ingested corpus store."""
    folder = tmp_path_factory.mktemp("browser")
    assert sqlite_template.path is not None
    db = folder / "browser.db"
    shutil.copyfile(sqlite_template.path, db)
    db_url = f"sqlite:///{db}"
    port = _free_port()
    log = folder / "server.log"
    env = {**os.environ, "DEFCOOP_SECRET_KEY": SECRET, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*_defcoop(), "serve", "--db", db_url, "--port", str(port), "--public"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"server did not start:\n{log.read_text('utf-8', 'replace')}")
            time.sleep(0.2)
    yield Server(url, db_url, log, proc)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """Console errors, CSP violations and uncaught exceptions of a page."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))

    def _console(self, msg: Any) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.problems.append(f"console {msg.type}: {msg.text}")


def _shot(page: Any, name: str, *, docs: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    if docs and os.environ.get("DEFCOOP_UPDATE_DOCS_IMG") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / name)
    return path


def test_search_event_login_correct_audit_reingest(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    from defcoop.ingest import ingest_paths
    from defcoop.query import get_event
    from defcoop.store import Store

    with Store.open(server.db_url) as store:
        eid = first_event_id(store, partner="AUS", kind="meeting")
        detail = get_event(store, eid)
    assert detail is not None
    quote = detail.evidence[0].quote
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(f"{server.url}/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert int(page.locator("#total-events").inner_text()) > 300
    assert page.locator("svg.chart rect.bar").count() > 5
    _shot(page, "dashboard-ja.png")
    # search (the form is enhanced by htmx; it works the same without it)
    page.click("nav.nav >> text=検索")
    page.fill("#q", "オーストラリア")
    page.locator("form.search button[type=submit]").click()
    page.wait_for_url("**/search?*q=*")
    link = page.locator(f'a.event-link[href="/events/{eid}"]')
    link.wait_for()
    assert "件" in page.locator("#result-count").inner_text()
    _shot(page, "search-ja.png")
    link.click()
    page.wait_for_url(f"**/events/{eid}")
    mark = page.locator("mark.evidence").first
    assert mark.is_visible() and mark.inner_text() == quote
    _shot(page, "event-ja.png")
    # log in as editor: back on the event with the curation forms
    page.click("a.login")
    page.fill("#username", USERS["editor"])
    page.fill("#password", PASSWORD)
    page.click("#form-login button[type=submit]")
    page.wait_for_url(f"**/events/{eid}")
    assert USERS["editor"] in page.locator(".who").inner_text()
    page.select_option("#correct-field", "location")
    page.fill("#correct-value", "キャンベラ(ブラウザで修正)")
    page.fill("#form-correct input[name=reason]", "e2e test")
    page.click("#form-correct button[type=submit]")
    page.wait_for_url("**done=correct")
    assert page.locator('dd[data-field="location"]').inner_text() == "キャンベラ(ブラウザで修正)"
    assert page.locator("#event-state").inner_text() == "修正済み"
    assert "キャンベラ(ブラウザで修正)" in page.locator("#history").inner_text()
    _shot(page, "event-corrected-ja.png")
    # the audit log shows it
    page.click("nav.nav >> text=監査ログ")
    row = page.locator("#audit tbody tr", has_text=eid).first
    assert "キャンベラ(ブラウザで修正)" in row.inner_text() and USERS["editor"] in row.inner_text()
    # re-ingest a changed version of the event's document: the correction survives
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    doc = corpus / f"{detail.event.doc_key}.txt"
    doc.write_text(doc.read_text("utf-8") + "\n(追記)\n", "utf-8")
    with Store.open(server.db_url) as store:
        report = ingest_paths(store, [corpus])
    assert report.count("updated") == 1
    page.goto(f"{server.url}/events/{eid}")
    assert page.locator('dd[data-field="location"]').inner_text() == "キャンベラ(ブラウザで修正)"
    assert not watch.problems, watch.problems
    ctx.close()


def test_language_switch_partner_page_and_screenshots(server: Server, browser: Any) -> None:
    from defcoop.store import Store

    with Store.open(server.db_url) as store:
        eid = first_event_id(store, partner="PHL", kind="meeting")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(f"{server.url}/partners/AUS")
    assert "オーストラリア" in page.locator("h1").inner_text()
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Australia" in page.locator("h1").inner_text()
    assert page.locator("#agreement-row .status-in_force").count() >= 1
    _shot(page, "partner.png", docs=True)
    page.goto(f"{server.url}/")  # remembered (cookie)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.nav a", has_text="Search").count() == 1
    _shot(page, "dashboard.png", docs=True)
    page.goto(f"{server.url}/events/{eid}")
    assert page.locator("mark.evidence").count() >= 1
    _shot(page, "event.png", docs=True)
    # the agreement matrix's as-of control (htmx swaps the table in place)
    page.goto(f"{server.url}/agreements?as_of=2025-04")
    assert "2025-04" in page.locator("#matrix-title").inner_text()
    page.fill("#as-of", "2019-01")
    page.dispatch_event("#as-of", "change")
    page.wait_for_function(
        "document.querySelector('#matrix-title').textContent.includes('2019-01')"
    )
    assert "as_of=2019-01" in page.url
    _shot(page, "agreements.png")
    page.goto(f"{server.url}/frameworks/JASMINE")
    assert page.locator("section.pillar").count() == 4
    assert page.locator(".badge.new").count() >= 4
    _shot(page, "jasmine.png")
    page.click("#lang-ja")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert not watch.problems, watch.problems
    ctx.close()


def test_phone_width(server: Server, browser: Any) -> None:
    from defcoop.store import Store

    with Store.open(server.db_url) as store:
        eid = first_event_id(store, partner="AUS", kind="meeting")
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, locale="ja-JP")  # fmt: skip
    page = ctx.new_page()
    watch = Watch(page)
    for path, name in (("/", "phone-dashboard.png"), (f"/events/{eid}", "phone-event.png"),
                       ("/search?q=フィリピン", "phone-search.png"), ("/partners/PHL", None)):  # fmt: skip
        page.goto(f"{server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
        if name:
            _shot(page, name)
    assert not watch.problems, watch.problems
    ctx.close()


def test_server_log_has_no_secrets(server: Server, browser: Any) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", USERS["viewer"])
    page.fill("#password", "not-the-password-xyz")
    page.click("#form-login button[type=submit]")
    assert page.locator(".flash.error").count() == 1
    ctx.close()
    log = server.log.read_text("utf-8", "replace")
    assert "GET /api/health" in log  # the access log is there ...
    for secret in ("not-the-password-xyz", PASSWORD, SECRET):
        assert secret not in log  # ... without passwords or keys

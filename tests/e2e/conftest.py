"""Browser fixtures: a live server on a fresh SQLite database, and Debian's Chromium.

Playwright drives /usr/bin/chromium (it cannot download its own browser here). Every test
gets a new browser context; `shot(page, name)` keeps a screenshot under artifacts/. The `page`
and `other_page` fixtures collect the console and fail the test at teardown when the browser
reported any Content-Security-Policy violation on any page it opened.

Languages: the browser context speaks the test's `lang` (English unless a journey is marked
`@both_languages`, which runs it once in English and once in Spanish, as a reader whose browser
sends that Accept-Language). `tr("msgid")` is the word a reader of that language sees, taken from
the compiled catalog; `shows_language(page, tr, ...)` checks the visible text is in that language.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from commonpot import migrate
from commonpot.app import create_app
from commonpot.db import Database
from commonpot.settings import Settings
from commonpot.templating import translations_for
from commonpot.wiring import open_database

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
AXE = Path(__file__).resolve().parents[2] / "src/commonpot/static/vendor/axe/axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e

# the reader's language -> what their browser says it speaks (Accept-Language, navigator.language)
BROWSER_LOCALES = {"en": "en-GB", "es": "es-ES"}
# a journey marked with this runs once per language (`lang` overrides the fixture below)
both_languages = pytest.mark.parametrize("lang", tuple(BROWSER_LOCALES))
# the menus every page may show, in the source language
MENU = (
    "Communities",
    "Inbox",
    "Sign in",
    "Sign out",
    "Recipes",
    "Events",
    "Decisions",
    "Food sharing",
    "Ecology",
    "Biotumblers",
    "From other communities",
    "Places",
    "Members",
)


@dataclass
class LiveServer:
    """A running commonpot on a free port, and a handle on its database for setup."""

    url: str
    db: Database
    settings: Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Serve the app over real HTTP on 127.0.0.1 with an empty, migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    migrate.upgrade(url)
    port = _free_port()
    settings = Settings(
        database_url=url,
        secret_key="e2e-secret-" + "y" * 32,
        data_dir=tmp_path / "var",
        base_url=f"http://127.0.0.1:{port}",
        map_tiles_url="http://127.0.0.1:9/{z}/{x}/{y}.png",  # no network here: tiles just fail
        jobs_embedded=1,  # background jobs run in the server, as under `commonpot serve`
    )
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    db = open_database(url)
    yield LiveServer(url=f"http://127.0.0.1:{port}", db=db, settings=settings)
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()
    app.state.db.dispose()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """The one Playwright driver of the worker (a second sync driver in one process fails)."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the worker."""
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


# Runs before any page script: reports each CSP violation the document sees to the console.
_CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " in " + (e.sourceFile || document.location.href) + ":" + e.lineNumber);
});
"""


@dataclass
class Console:
    """What the browser wrote to the console in one context, and the CSP violations among it."""

    messages: list[str]
    csp_violations: list[str]


def watch_console(context: BrowserContext) -> Console:
    """Collect console messages of every page of the context, CSP violations apart."""
    console = Console(messages=[], csp_violations=[])
    context.add_init_script(_CSP_WATCH)

    def on_console(message: ConsoleMessage) -> None:
        where = message.location.get("url", "") if message.location else ""
        line = f"[{message.type}] {where}: {message.text}"
        console.messages.append(line)
        if "Content Security Policy" in message.text or message.text.startswith("CSP violation"):
            console.csp_violations.append(line)

    context.on("console", on_console)
    return console


@dataclass(frozen=True)
class Words:
    """The words a reader of `lang` sees: gettext on the compiled catalog (English: the msgid)."""

    lang: str

    def __call__(self, message: str, **values: object) -> str:
        text = translations_for(self.lang).gettext(message) if self.lang != "en" else message
        return text % values if values else text

    def n(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The plural form for `n` (`%(num)s` and `%(count)s` are n unless given)."""
        if self.lang == "en":
            text = singular if n == 1 else plural
        else:
            text = translations_for(self.lang).ngettext(singular, plural, n)
        return text % {"num": n, "count": n, **values}


@pytest.fixture
def lang() -> str:
    """The reader's language: English, unless the test is marked `@both_languages`."""
    return "en"


@pytest.fixture
def tr(lang: str) -> Words:
    """`tr("Sign in")` is what the reader sees for that msgid in the test's language."""
    return Words(lang)


def _english_shown(text: str, message: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(message)}(?!\w)", text) is not None


def shows_language(page: Page, tr: Words, *messages: str) -> None:
    """The page is in the reader's language: `<html lang>`, each message translated on screen,
    and (in another language than English) neither those messages on the page nor the menu
    labels in its menus in English (the visible text, as a person reads it)."""
    expect(page.locator("html")).to_have_attribute("lang", tr.lang)
    text = page.locator("body").inner_text()
    for message in messages:
        assert tr(message) in text, f"{tr(message)!r} not on {page.url} ({tr.lang})"
    if tr.lang == "en":
        return
    for message in messages:
        if tr(message) != message:
            assert not _english_shown(text, message), f"English {message!r} on {page.url}"
    menus = "\n".join(page.locator("nav").all_inner_texts())
    assert tr("Sign in") in menus or tr("Sign out") in menus, menus
    for message in MENU:
        if tr(message) != message:
            assert not _english_shown(menus, message), f"English {message!r} in menu {page.url}"


def _open(browser: Browser, width: int, height: int, lang: str = "en") -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=BROWSER_LOCALES[lang]
    )
    console = watch_console(context)
    new_page = context.new_page()
    new_page.set_default_timeout(10_000)
    # a page to load may wait longer: on a loaded two-core host (xdist's workers, the browser
    # and PostgreSQL at once) a first navigation once took more than 10 s (CI, 7 December)
    new_page.set_default_navigation_timeout(30_000)
    new_page.console = console  # type: ignore[attr-defined]
    new_page.lang = lang  # type: ignore[attr-defined]
    yield new_page
    context.close()
    if console.csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(console.csp_violations))


@pytest.fixture
def page(browser: Browser, lang: str) -> Iterator[Page]:
    """A fresh browser context (own cookies) and page in the test's language; fails on any CSP
    violation."""
    yield from _open(browser, 1280, 900, lang)


@pytest.fixture
def other_page(browser: Browser, lang: str) -> Iterator[Page]:
    """A second, independent person at another browser (same language); fails on any CSP
    violation."""
    yield from _open(browser, 390, 844, lang)


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as an artifact and return its path; the name ends with the
    language the page is in (`recipes-01-editor-es.png`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lang = page.locator("html").get_attribute("lang") or getattr(page, "lang", None)
    named = name if not lang or name.endswith(f"-{lang}") else f"{name}-{lang}"
    path = ARTIFACTS / f"{named}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (WCAG 2 A/AA rules) on the page; returns the serious violations.

    axe is loaded from the server's own /static copy (an inline copy would break the CSP).
    """
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    page.add_script_tag(url=f"{origin}/static/vendor/axe/axe.min.js")
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        f"{v['id']}: {v['help']} ({json.dumps([n['target'] for n in v['nodes']][:3])})"
        for v in result["violations"]
        if v.get("impact") in impacts
    ]


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real form, reading its labels in the page's language."""
    tr = Words(getattr(page, "lang", "en"))
    page.goto(f"{base_url}/login")
    page.get_by_label(tr("E-mail")).fill(email)
    page.get_by_label(tr("Password")).fill(password)
    page.locator("main").get_by_role("button", name=tr("Sign in")).click()
    page.wait_for_load_state("networkidle")

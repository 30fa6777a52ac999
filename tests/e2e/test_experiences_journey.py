"""A visitor enters the pozole's experience in Debian's Chromium with software WebGL: the canvas
draws a real frame, the keyboard moves through the chapters and their captions, reduced motion
cuts instead of gliding, axe finds nothing on the scene and its twin, and an emulated Quest 3
(Meta's iwer) enters immersive-vr and advances a chapter with a controller select."""

from __future__ import annotations

import gzip
import re
import struct
import subprocess
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect
from sqlalchemy import select

from commonpot import demo
from commonpot.experiences.demo import TELLING
from commonpot.recipes.models import Recipe
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    axe_violations,
    shot,
    sign_in,
    watch_console,
)

ROOT = Path(__file__).resolve().parents[2]
GL_ARGS = [
    *(a for a in CHROMIUM_ARGS if a != "--disable-gpu"),
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
    "--ignore-gpu-blocklist",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def gl_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Chromium with WebGL drawn in software (SwiftShader), from the worker's one driver."""
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=GL_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def pozole(live_server: LiveServer) -> str:
    """The demo loaded (with Rosa's recording written to the server's data folder)."""
    with live_server.db.unit_of_work() as session:
        demo.load(session, data_dir=live_server.settings.data_dir)
    with live_server.db.unit_of_work(write=False) as session:
        rid = session.scalar(
            select(Recipe.id).where(Recipe.name == "Pozole rojo de la abuela Carmen")
        )
    return f"{live_server.url}/communities/riverside/recipes/{rid}/experience"


@contextmanager
def _context(browser: Browser, **options: object) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 1100, "height": 820}, locale="en-GB", **options
    )  # type: ignore[arg-type]
    console = watch_console(context)
    yield context
    context.close()
    assert console.csp_violations == []
    errors = [m for m in console.messages if m.startswith("[error]") and "favicon" not in m]
    assert errors == [], errors


@pytest.fixture
def ctx(gl_browser: Browser) -> Iterator[BrowserContext]:
    with _context(gl_browser) as context:
        yield context


@pytest.fixture
def calm_ctx(gl_browser: Browser) -> Iterator[BrowserContext]:
    with _context(gl_browser, reduced_motion="reduce") as context:
        yield context


def _png_colours(png: bytes) -> int:
    """Distinct colours in an 8-bit RGB(A) PNG (the screenshot), decoded with the stdlib."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, width, height, channels = 8, b"", 0, 0, 0
    while at < len(png):
        size, kind = struct.unpack(">I4s", png[at : at + 8])
        body = png[at + 8 : at + 8 + size]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour_type]
        elif kind == b"IDAT":
            idat += body
        at += 12 + size
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, data = line[0], bytearray(line[1:])
        for i in range(stride):
            left = data[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                data[i] = (data[i] + left) & 255
            elif kind == 2:
                data[i] = (data[i] + up) & 255
            elif kind == 3:
                data[i] = (data[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                data[i] = (data[i] + pred) & 255
        colours.update(bytes(data[i : i + 3]) for i in range(0, stride, channels))
        previous = data
    return len(colours)


def _ready(page: Page) -> None:
    expect(page.locator("#scene-stage")).to_have_attribute("data-state", "ready", timeout=20_000)


def test_scene_draws_and_the_keyboard_tells_the_story(ctx: BrowserContext, pozole: str) -> None:
    page = ctx.new_page()
    page.goto(pozole)
    _ready(page)
    stage = page.locator("#scene-stage")
    first_frame = float(stage.get_attribute("data-first-frame-ms") or "nan")
    calls = int(stage.get_attribute("data-draw-calls") or 0)
    triangles = int(stage.get_attribute("data-triangles") or 0)
    print(f"\npozole first frame {first_frame:.0f} ms, {calls} draw calls, {triangles} triangles")
    # the page measures its first frame; the 5 s budget is benchmarks/bench_experiences_scene.py's
    # figure (a timed assertion here fails on a busy CI machine, not on a slow scene)
    assert 0 < first_frame < float("inf"), first_frame
    assert calls > 10 and triangles > 500  # hearth, pot, teller, table, ingredients, labels
    colours = _png_colours(page.locator("#scene").screenshot())
    assert colours > 200, colours  # a lit 3-D scene, not a blank or one-colour fallback
    shot(page, "experiences-01-hearth")

    title = page.locator("#chapter-title")
    caption = page.locator("#scene-caption")
    expect(title).to_have_text("Pozole rojo de la abuela Carmen")
    expect(caption).to_have_text("This pozole has fed our family for four generations.")
    page.locator("#scene").focus()
    page.keyboard.press("ArrowRight")
    expect(title).to_have_attribute("data-chapter", "1")
    expect(title).to_have_text("Carmen Ruiz")
    expect(caption).to_contain_text("My grandmother Carmen made it in Chilapa")
    expect(page.locator("#chapter-count")).to_have_text("Chapter 2 of 7")
    page.keyboard.press("Space")
    expect(title).to_have_text("Rosa Delgado")
    expect(caption).to_contain_text("I learned it watching her hands")
    page.keyboard.press("ArrowLeft")
    expect(title).to_have_text("Carmen Ruiz")
    expect(stage).to_have_attribute("data-transition", "glide")
    # a chapter of steps lights up its ingredients
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(title).to_have_text("El caldo")
    expect(page.locator("#chapter-steps li")).to_have_count(2)
    shot(page, "experiences-02-caldo")
    page.get_by_role("link", name="Read this story as text").click()
    expect(page.get_by_role("heading", name="Carmen Ruiz")).to_be_visible()
    expect(page.get_by_text("Listen to the pot: when the bubbles get lazy")).to_be_visible()
    assert axe_violations(page) == []
    page.go_back()
    _ready(page)
    assert axe_violations(page) == []


def test_all_the_scene_pages_javascript_fits_the_budget(ctx: BrowserContext, pozole: str) -> None:
    page = ctx.new_page()
    sizes: dict[str, int] = {}
    page.on(
        "response",
        lambda r: (
            sizes.__setitem__(r.url, len(gzip.compress(r.body(), 9)))
            if r.request.resource_type == "script"
            else None
        ),
    )
    page.goto(pozole)
    _ready(page)
    assert any(url.endswith("/static/vendor/experience.js") for url in sizes)
    total = sum(sizes.values())
    print(f"\nscene page JavaScript: {total / 1024:.1f} KB gzipped over {len(sizes)} files")
    assert total <= 300 * 1024  # the spec's budget


def test_reduced_motion_cuts_between_chapters(calm_ctx: BrowserContext, pozole: str) -> None:
    page = calm_ctx.new_page()
    page.goto(pozole)
    _ready(page)
    stage = page.locator("#scene-stage")
    expect(stage).to_have_attribute("data-motion", "reduced")
    page.locator("#scene").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#chapter-title")).to_have_text("Carmen Ruiz")
    expect(stage).to_have_attribute("data-transition", "cut")
    page.mouse.move(5, 5)  # nothing under the pointer moves either
    first = page.locator("#scene").screenshot()
    page.wait_for_timeout(400)
    assert page.locator("#scene").screenshot() == first  # no camera motion, no flicker


def test_a_phone_taps_through_the_chapters(gl_browser: Browser, pozole: str) -> None:
    with _context(gl_browser, has_touch=True, is_mobile=True) as phone:
        page = phone.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(pozole)
        _ready(page)
        page.locator("#scene").tap()
        expect(page.locator("#chapter-title")).to_have_text("Carmen Ruiz")
        expect(page.locator("#scene-caption")).to_contain_text("My grandmother Carmen")
        shot(page, "experiences-04-phone")


def _iwer_bundle(tmp: Path) -> Path:
    out = tmp / "iwer-test.js"
    subprocess.run(
        [
            str(ROOT / "node_modules/.bin/esbuild"),
            str(ROOT / "tests/e2e/xr/iwer-entry.js"),
            "--bundle",
            "--format=iife",
            f"--outfile={out}",
            "--log-level=warning",
        ],
        check=True,
        cwd=ROOT,
    )
    return out


def test_headset_enters_vr_and_a_controller_select_advances(
    ctx: BrowserContext, pozole: str, tmp_path: Path
) -> None:
    ctx.add_init_script(path=str(_iwer_bundle(tmp_path)))
    page = ctx.new_page()
    page.goto(pozole)
    _ready(page)
    enter = page.get_by_role("button", name="Enter VR")
    expect(enter).to_be_visible()
    enter.click()
    stage = page.locator("#scene-stage")
    expect(stage).to_have_attribute("data-xr", "presenting")
    expect(stage).to_have_attribute("data-xr-frames", re.compile(r"^([3-9]|\d\d+)$"))
    expect(page.locator("#chapter-title")).to_have_attribute("data-chapter", "0")
    page.evaluate("window.__xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    expect(stage).to_have_attribute("data-xr-frames", re.compile(r"^\d\d+$"))
    page.evaluate("window.__xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    expect(stage).to_have_attribute("data-xr-selects", "1")
    expect(page.locator("#chapter-title")).to_have_text("Carmen Ruiz")
    leave = page.get_by_role("button", name="Leave VR")  # under the emulator's overlay
    leave.focus()
    page.keyboard.press("Enter")
    expect(stage).to_have_attribute("data-xr", "ended")


def test_a_gathering_follows_its_host_within_a_second(
    gl_browser: Browser, live_server: LiveServer, pozole: str
) -> None:
    with _context(gl_browser) as host_ctx, _context(gl_browser) as guest_ctx:
        _gather(live_server, pozole, host_ctx.new_page(), guest_ctx.new_page())


def _gather(live_server: LiveServer, pozole: str, host: Page, guest: Page) -> None:
    sign_in(host, live_server.url, "rosa@riverside.example", demo.DEMO_PASSWORD)
    host.goto(pozole)
    _ready(host)
    host.get_by_label("Title of a new gathering").fill("Nochebuena telling")
    host.get_by_role("button", name="Open a gathering").click()
    expect(host.get_by_role("heading", name="Gathering: Nochebuena telling")).to_be_visible()
    _ready(host)
    expect(host.locator("#scene-stage")).to_have_attribute("data-role", "host")
    guest.goto(host.url)  # anyone may join: the pozole is a public recipe
    _ready(guest)
    expect(guest.locator("#scene-stage")).to_have_attribute("data-role", "follower")
    expect(guest.locator("#scene-stage")).to_have_attribute("data-live", "connected")
    expect(host.locator("#presence-count")).to_have_text("2 here now")
    expect(guest.locator("#presence-count")).to_have_text("2 here now")
    assert axe_violations(guest) == []
    host.locator("#scene").focus()
    started = time.perf_counter()
    host.keyboard.press("ArrowRight")
    expect(guest.locator("#chapter-title")).to_have_text("Carmen Ruiz", timeout=1000)
    print(f"\nguest followed the host's chapter in {(time.perf_counter() - started) * 1000:.0f} ms")
    host.keyboard.press("ArrowRight")
    expect(guest.locator("#chapter-title")).to_have_text("Rosa Delgado", timeout=1000)
    expect(guest.locator("#scene-caption")).to_contain_text("I learned it watching her hands")
    shot(guest, "experiences-03-gathering-guest")
    host.get_by_role("button", name="End the gathering").click()
    expect(guest.locator("#scene-stage")).to_have_attribute("data-live", "closed")
    # the host, a custodian, sets how Rosa's telling plays: an accessible form
    host.goto(pozole + "/text")
    host.get_by_role("link", name="Set who may hear it and its timing").last.click()
    expect(host.get_by_label("Who may hear it, as the teller agreed")).to_have_value("anyone")
    second = TELLING[1]  # (start, end, words) of the demo's second spoken sentence
    expect(host.get_by_label(re.compile("^Timed transcript"))).to_contain_text(
        f"0:{second[0]:05.2f} --> 0:{second[1]:05.2f} {second[2]}"
    )
    assert axe_violations(host) == []
    host.goto(pozole)
    host.get_by_role("link", name="Arrange the chapters").click()
    expect(host.get_by_label("Chapters")).to_contain_text("== Carmen Ruiz")
    assert axe_violations(host) == []


def _voice(page: Page) -> dict[str, float | bool]:
    """The page's voice as its media element has it (the scene's one recording)."""
    state = page.locator("audio.scene-voice").evaluate(
        "el => ({time: el.currentTime, paused: el.paused})"
    )
    return {"time": float(state["time"]), "paused": bool(state["paused"])}


def _within_a_second(host: Page, guest: Page, at_least: float) -> tuple[float, float, float]:
    """Poll both players for up to a second after the host moved; (host, guest, ms taken)."""
    started = time.perf_counter()
    while True:
        mine, theirs = _voice(host)["time"], _voice(guest)["time"]
        took = (time.perf_counter() - started) * 1000
        if theirs >= at_least and abs(mine - theirs) <= 1.0:
            return float(mine), float(theirs), took
        assert took < 1000, f"host at {mine:.2f} s, guest at {theirs:.2f} s after {took:.0f} ms"
        guest.wait_for_timeout(50)


def test_everyone_hears_where_the_hosts_voice_is(
    gl_browser: Browser, live_server: LiveServer, pozole: str
) -> None:
    with _context(gl_browser) as host_ctx, _context(gl_browser) as guest_ctx:
        host, guest = host_ctx.new_page(), guest_ctx.new_page()
        sign_in(host, live_server.url, "rosa@riverside.example", demo.DEMO_PASSWORD)
        host.goto(pozole)
        _ready(host)
        host.get_by_label("Title of a new gathering").fill("Listening together")
        host.get_by_role("button", name="Open a gathering").click()
        _ready(host)
        guest.goto(host.url)
        _ready(guest)
        expect(guest.locator("#scene-stage")).to_have_attribute("data-live", "connected")
        expect(host.locator("#presence-count")).to_have_text("2 here now")
        # nobody vouched for the visitor: an anonymous guest, named nowhere
        expect(host.locator("#presence-anonymous")).to_have_text("Anonymous guests: 1")
        expect(host.locator("#presence-guests")).to_be_hidden()
        host.locator("#scene").focus()
        host.keyboard.press("ArrowRight")  # Carmen Ruiz: 4.5 s to 10 s of Rosa's telling
        expect(guest.locator("#chapter-title")).to_have_text("Carmen Ruiz", timeout=1000)
        # the host's own move starts the chapter's voice (a key press lets the browser play)
        expect(host.locator("#scene-stage")).to_have_attribute("data-voice", "playing")
        expect(guest.locator("#scene-stage")).to_have_attribute(
            "data-voice", "playing", timeout=1000
        )
        # the host seeks: everyone's voice is within a second of theirs, within a second
        host.get_by_label("Voice position (seconds)").fill("7")
        mine, theirs, took = _within_a_second(host, guest, at_least=6.8)
        print(f"\nafter a seek: host {mine:.2f} s, guest {theirs:.2f} s, {took:.0f} ms")
        expect(guest.get_by_label("Voice position (seconds)")).to_be_disabled()
        # the host pauses: everyone pauses, where the host did
        host.get_by_role("button", name="Pause the voice").click()
        expect(guest.locator("#scene-stage")).to_have_attribute(
            "data-voice", "paused", timeout=1000
        )
        paused_host, paused_guest = _voice(host), _voice(guest)
        assert paused_host["paused"] and paused_guest["paused"]
        assert abs(float(paused_host["time"]) - float(paused_guest["time"])) <= 1.0
        # someone joining late starts where the host is (on the host's chapter, paused there)
        with _context(gl_browser) as late_ctx:
            late = late_ctx.new_page()
            late.goto(host.url)
            _ready(late)
            expect(late.locator("#chapter-title")).to_have_text("Carmen Ruiz")
            expect(late.get_by_label("Voice position (seconds)")).to_be_visible()
            late_voice = _voice(late)
            assert late_voice["paused"]
            assert abs(float(late_voice["time"]) - float(paused_host["time"])) <= 1.0
        # the host plays on from there: the guest does too
        host.get_by_role("button", name="Play the voice").click()
        expect(guest.locator("#scene-stage")).to_have_attribute(
            "data-voice", "playing", timeout=1000
        )
        assert not _voice(guest)["paused"]

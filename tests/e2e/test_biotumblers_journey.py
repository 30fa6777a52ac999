"""Biotumblers: a steward registers a drum, it streams readings, the chart and verdict follow."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.sync_api import Page, expect

from commonpot.db import utcnow
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_user


def post(base: str, token: str, body: list[dict[str, object]]) -> dict[str, object]:
    r = httpx.post(base, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 202, r.text
    out: dict[str, object] = r.json()
    return out


def stamp(minutes_ago: float) -> str:
    return (utcnow() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_register_stream_and_watch_the_verdict(live_server: LiveServer, page: Page) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Dexter Steward", email="dexter@example.org")
        make_community(s, steward, slug="domes")
    base = f"{live_server.url}/communities/domes/biotumblers"

    sign_in(page, live_server.url, "dexter@example.org", PASSWORD)
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Biotumblers")
    page.get_by_label("Device id").fill("drum-1")
    page.get_by_label("Name", exact=True).fill("Dome drum")
    page.get_by_label("Probes, one per line").fill("core: centre\nedge: by the door")
    page.get_by_role("button", name="Register").click()
    token = page.locator("#device-token").inner_text().strip()
    assert token.startswith("cpb_")
    assert axe_violations(page) == []
    shot(page, "biotumblers-01-token")

    ingest = f"{live_server.url}/api/communities/domes/biotumblers/drum-1/readings"
    # three days and a bit, every 30 minutes: heating, then the coldest probe at >= 55 °C
    history = []
    for i in range(160, 0, -1):
        minutes = i * 30
        core = 40.0 if i > 150 else 62.0
        history.append({"t": stamp(minutes), "temperature_c": {"core": core, "edge": core - 4}})
    assert post(ingest, token, history)["accepted"] == 160

    page.get_by_role("link", name="Go to the device").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dome drum")
    expect(page.locator("#bt-verdict")).to_contain_text("Sanitised: 3 days at 55 °C or more")
    expect(page.locator("#bt-temperature")).to_be_visible()
    assert page.evaluate("() => typeof Chart !== 'undefined' && !!Chart.getChart('bt-temperature')")
    points = page.evaluate("() => Chart.getChart('bt-temperature').data.datasets[0].data.length")
    assert points > 50  # hourly buckets over the last 7 days

    # live: a new reading reaches the open page through server-sent events
    page.wait_for_timeout(500)
    post(ingest, token, [{"t": stamp(0), "temperature_c": {"core": 71.5, "edge": 66.0}}])
    expect(page.locator("#bt-live-status")).to_contain_text("Last reading", timeout=10_000)
    # the alert opens live: overheating above 65 °C (warn) and 70 °C (alarm)
    expect(page.locator("#bt-live-alerts li")).to_have_count(2, timeout=10_000)
    expect(page.locator("#bt-live-alerts")).to_contain_text("overheating · alarm")
    after = page.evaluate("() => Chart.getChart('bt-temperature').data.datasets[0].data.length")
    assert after == points + 1
    assert axe_violations(page) == []
    shot(page, "biotumblers-02-device")

    page.reload()
    # the spec's verdict lists both, and both episodes were stored once, stewards told
    verdict = page.locator("table").filter(has_not=page.locator("#bt-episodes")).first
    expect(verdict.get_by_role("cell", name="overheat")).to_have_count(2)
    stored = page.locator("#bt-episodes")
    expect(stored.locator('tr[data-open="true"]')).to_have_count(2)
    expect(stored.locator('tr[data-episode="overheat-alarm"]')).to_contain_text("71.5")
    expect(stored.get_by_role("cell", name="yes")).to_have_count(2)
    expect(page.get_by_text("still open").first).to_be_visible()

    # a drum nobody registered keeps publishing: 404 for it, counted for the stewards
    ghost = f"{live_server.url}/api/communities/domes/biotumblers/ghost-drum/readings"
    r = httpx.post(ghost, json=[{"t": stamp(0), "temperature_c": {"core": 20}}],
                   headers={"Authorization": "Bearer nope"}, timeout=30)  # fmt: skip
    assert r.status_code == 404
    page.goto(base)
    expect(page.get_by_role("cell", name="Dome drum")).to_be_visible()
    expect(page.locator('tr[data-unknown="ghost-drum"]')).to_contain_text("1")
    expect(page.locator('span[data-episode="overheat-alarm"]')).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "biotumblers-03-overview")

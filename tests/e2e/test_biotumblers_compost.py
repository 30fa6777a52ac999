"""Biotumblers: a steward offers a sanitised batch's compost to the network in one step, and
records another batch's compost delivered to a dome."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from commonpot.accounts.service import Viewer
from commonpot.biotumblers import ingest, service
from commonpot.db import utcnow
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_place, make_user
from tests.factories.biotumblers import series


def test_offer_a_sanitised_batch_to_the_network(live_server: LiveServer, page: Page) -> None:
    start = utcnow().replace(microsecond=0) - timedelta(days=10)
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Dexter Steward", email="dexter@example.org")
        community = make_community(s, steward, slug="domes")
        make_place(s, community, "North Dome")
        me = Viewer(user=steward)
        device, _ = service.register_device(
            s, community, me, device="drum-1", name="Dome drum", lat=52.0, lon=5.0
        )
        for days in (0, 4):  # two batches of three days and a bit at 56 °C
            begun = start + timedelta(days=days)
            service.start_batch(s, community, me, "drum-1", started_at=begun)
            ingest.store(s, device, series([56.0] * (74 * 6), start=begun), live=False)
            service.end_batch(s, community, me, "drum-1", ended_at=begun + timedelta(hours=75))

    sign_in(page, live_server.url, "dexter@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/domes/biotumblers/drum-1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dome drum")
    forms = page.locator("form.bt-compost")
    expect(forms).to_have_count(4)  # offer and delivery, for each sanitised batch
    # a typo comes back with what was typed and the field marked
    first = page.locator('form[action$="/compost/offer"]').first
    first.get_by_label("Compost (kg)").fill("lots")
    first.get_by_role("button", name="Offer to the network").click()
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator('input[aria-invalid="true"]').first).to_have_value("lots")
    first = page.locator('form[action$="/compost/offer"]').first
    first.get_by_label("Compost (kg)").fill("42")
    first.get_by_role("button", name="Offer to the network").click()
    expect(page.locator('[data-compost="offered"]')).to_contain_text("42")
    delivery = page.locator('form[action$="/compost/delivery"]').first
    delivery.get_by_label("Compost (kg)").fill("30")
    delivery.get_by_label("Delivered to").select_option(label="North Dome")
    delivery.get_by_role("button", name="Record the delivery").click()
    expect(page.locator('[data-compost="delivered"]')).to_contain_text("North Dome")
    expect(page.locator("form.bt-compost")).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "biotumblers-04-compost")
    page.get_by_role("link", name="see the offers").click()
    # the offer is listed (the kind-of-food picker above the lists names "compost" too)
    offers = page.locator('section[aria-labelledby="offers-h"] td')
    expect(offers.filter(has_text="compost").first).to_be_visible()

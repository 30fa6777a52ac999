"""The last mile: a committed run becomes pickups that people confirm, carry and complete.

A steward commits a run; the recipient is notified, sees what and where, confirms a window;
a volunteer signs up, gets a route and hands the food over (the recipient's open page
updates live); a declined handover's units go to the next need in a follow-up run.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from commonpot.communities import service as communities
from commonpot.db import utcnow
from commonpot.network.models import Handover, Need
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_user
from tests.factories.network import add_need, add_offer


def test_commit_confirm_carry_hand_over_reallocate(
    live_server: LiveServer, page: Page, other_page: Page
) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        donor = make_user(s, "Noor Donor", email="noor@example.org")
        lina = make_user(s, "Lina Recipient", email="lina@example.org")
        omar = make_user(s, "Omar Recipient", email="omar@example.org")
        sam = make_user(s, "Sam Driver", email="sam@example.org")
        priya = make_user(s, "Priya Later", email="priya@example.org")
        community = make_community(s, steward, slug="riverbank")
        for person in (donor, lina, omar, sam, priya):
            communities.add_member(s, community, person, "member")
        offer = add_offer(s, community, donor, 5, category="apples")
        offer.unit = "kg"
        offer.description = "Green gate, Orchard Lane 2"
        add_need(s, community, lina, 3, 0.5, category="apples")
        add_need(s, community, omar, 2, 0.8, category="apples")
    base = f"{live_server.url}/communities/riverbank/network"

    # the steward proposes and commits a run
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{base}/runs")
    page.get_by_role("button", name="Propose").click()
    result = page.get_by_role("link", name="Open the result")
    expect(result).to_be_visible(timeout=60_000)
    result.click()
    page.get_by_role("button", name="Commit this plan").click()
    expect(page.get_by_role("status")).to_contain_text("Committed")
    lines = page.locator("[data-line]")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text("Noor Donor")  # people, not ids
    expect(page.locator("#lines-h")).to_have_text("Who receives what")
    shot(page, "lastmile-01-run-committed")
    page.get_by_role("button", name="Sign out").click()

    # Lina is notified, sees what and where, and confirms a window
    sign_in(page, live_server.url, "lina@example.org", PASSWORD)
    page.goto(f"{live_server.url}/me/notifications")
    expect(page.get_by_text("Your need was matched").first).to_be_visible(timeout=30_000)
    page.goto(f"{base}/my-food")
    card = page.locator("[data-handover]")
    expect(card).to_contain_text("3 kg · apples")
    expect(card).to_contain_text("Green gate, Orchard Lane 2")
    expect(card).to_contain_text("Noor Donor")
    expect(page.get_by_role("link", name="Directions")).to_be_visible()
    day = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%d")
    card.get_by_label("From (UTC)").fill(f"{day}T10:00")
    card.get_by_label("Until (UTC)").fill(f"{day}T12:00")
    card.get_by_role("button", name="Confirm this time").click()
    expect(page.get_by_role("status").first).to_contain_text("Confirmed")
    expect(card).to_have_attribute("data-state", "confirmed")
    assert axe_violations(page) == []
    shot(page, "lastmile-02-my-food-confirmed")

    # Omar declines his; Priya asks for apples after the run
    sign_in(other_page, live_server.url, "omar@example.org", PASSWORD)
    other_page.goto(f"{base}/my-food")
    other_page.get_by_role("button", name="Decline").click()
    expect(other_page.locator("[data-handover]")).to_have_attribute("data-state", "declined")
    with live_server.db.unit_of_work() as s:
        from commonpot.communities.models import Community

        found = s.scalars(select(Community).where(Community.slug == "riverbank")).one()
        later = add_need(s, found, priya, 2, 0.3, category="apples")
        later.unit = "kg"
    other_page.get_by_role("button", name="Sign out").click()

    # Sam signs up to drive; the steward routes the day; Sam follows the route
    sign_in(other_page, live_server.url, "sam@example.org", PASSWORD)
    other_page.goto(f"{base}/carry")
    other_page.get_by_label("From (UTC)").fill(f"{day}T08:00")
    other_page.get_by_label("Until (UTC)").fill(f"{day}T18:00")
    other_page.get_by_label("Room for (units)").fill("20")
    other_page.get_by_label("Start latitude").fill("52.002")
    other_page.get_by_label("Start longitude").fill("5.001")
    other_page.get_by_role("button", name="Sign up to drive").click()
    expect(other_page.get_by_role("status").first).to_contain_text("your slot is saved")
    steward_page = page
    steward_page.get_by_role("button", name="Sign out").click()
    sign_in(steward_page, live_server.url, "ada@example.org", PASSWORD)
    steward_page.goto(f"{base}/runs")
    steward_page.get_by_label("Day").fill(day)
    steward_page.get_by_role("button", name="Plan routes").click()
    expect(steward_page.get_by_role("status")).to_contain_text("Routes planned")

    other_page.goto(f"{base}/carry")
    expect(other_page.get_by_text("route ready")).to_be_visible()
    other_page.locator('a[href*="/network/slots/"]').first.click()
    stops = other_page.locator(".route-stop")
    expect(stops).to_have_count(2)
    expect(stops.nth(0)).to_contain_text("Load")
    expect(stops.nth(1)).to_contain_text("Unload")
    expect(stops.nth(1)).to_contain_text("Lina Recipient")
    shot(other_page, "lastmile-03-route")

    # Lina watches her page while Sam picks up and hands over: it updates live
    steward_page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server.url, "lina@example.org", PASSWORD)
    page.goto(f"{base}/my-food")
    mine = page.locator("[data-handover]")
    expect(mine).to_have_attribute("data-state", "confirmed")
    other_page.goto(f"{base}/carry")
    other_page.get_by_role("button", name="Picked up").click()
    expect(mine).to_have_attribute("data-state", "picked_up", timeout=15_000)
    expect(mine.locator("[data-state-label]")).to_have_text("on its way")
    other_page.get_by_role("button", name="Handed over").click()
    expect(mine).to_have_attribute("data-state", "handed_over", timeout=15_000)
    shot(page, "lastmile-04-handed-over-live")
    page.get_by_role("button", name="Sign out").click()

    # the declined units go to the next need
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{base}/runs")
    expect(page.locator("#freed-units")).to_have_text("2")
    page.get_by_role("button", name="Re-allocate now").click()
    result = page.get_by_role("link", name="Open the result")
    expect(result).to_be_visible(timeout=60_000)
    result.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("follow-up")
    expect(page.locator("[data-line]")).to_contain_text("Priya Later")
    shot(page, "lastmile-05-follow-up")
    with live_server.db.unit_of_work(write=False) as s:
        states = sorted(s.scalars(select(Handover.state)))
        assert states == ["declined", "handed_over", "proposed"]
        assert s.scalar(select(Need.received).where(Need.user_id == priya.id)) == 2

"""Sharing food: a member offers and asks, a steward proposes a fair plan and commits it."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from commonpot.communities import service as communities
from commonpot.network.models import Need, Offer
from tests.e2e.conftest import (
    LiveServer,
    Words,
    axe_violations,
    both_languages,
    shot,
    shows_language,
    sign_in,
)
from tests.factories.accounts import PASSWORD, make_community, make_user


@both_languages
def test_offer_ask_propose_commit_carry(live_server: LiveServer, page: Page, tr: Words) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        member = make_user(s, "Noor Member", email="noor@example.org")
        community = make_community(s, steward, slug="riverbank")
        communities.add_member(s, community, member, "member")
    base = f"{live_server.url}/communities/riverbank/network"

    sign_in(page, live_server.url, "noor@example.org", PASSWORD)
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_contain_text(tr("Food sharing in"))
    page.locator("#o-category").fill("apples")
    page.locator("#o-quantity").fill("5")
    page.locator("#lat").fill("52.0")
    page.locator("#lon").fill("5.0")
    page.get_by_role("button", name=tr("Offer"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(tr("Thank you: your offer is open."))
    page.locator("#n-category").fill("apples")
    page.locator("#n-quantity").fill("3")
    page.locator("#n-lat").fill("52.01")
    page.locator("#n-lon").fill("5.0")
    page.get_by_role("button", name=tr("Ask"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        tr("Your need is recorded; the next allocation will include it.")
    )
    expect(page.get_by_role("cell", name="0 / 3")).to_be_visible()
    shows_language(page, tr, "Food sharing", "Offer food", "Ask for food", "Open offers")
    assert axe_violations(page) == []
    shot(page, "network-01-offer-and-need")
    page.get_by_role("button", name=tr("Sign out")).click()

    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{base}/runs")
    page.get_by_role("button", name=tr("Propose")).click()
    # the plan is solved in the background: the job page shows progress, then the result
    result = page.get_by_role("link", name=tr("Open the result"))
    expect(result).to_be_visible(timeout=60_000)
    shot(page, "network-02a-job-done")
    result.click()
    expect(page.get_by_role("heading", name=tr("Fairness report"))).to_be_visible()
    shows_language(page, tr, "Fairness report", "Food in this run", "Who receives what")
    assert axe_violations(page) == []
    shot(page, "network-02-fairness-report")
    page.get_by_role("button", name=tr("Commit this plan")).click()
    expect(page.get_by_role("status")).to_contain_text(tr("Committed: arrange the pickups below."))
    page.get_by_role("button", name=tr("I'll carry it")).click()
    expect(page.get_by_role("status").first).to_contain_text(tr("Thank you for carrying it."))
    expect(page.locator("[data-handover]")).to_contain_text(f"3 {tr('portions')} · apples")
    shot(page, "network-03-committed")
    with live_server.db.unit_of_work(write=False) as s:
        assert s.scalar(select(Offer.allocated)) == 3
        assert s.scalar(select(Need.status)) == "filled"


@both_languages
def test_a_city_sized_list_pages_and_narrows_in_the_browser(
    live_server: LiveServer, page: Page, tr: Words
) -> None:
    """120 open offers: the page shows the newest hundred, the older ones a click away, and
    one kind of food at a time; the pager and the picker pass the accessibility check."""
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
        for i in range(120):
            s.add(
                Offer(
                    community_id=community.id,
                    user_id=steward.id,
                    category=("plums", "leeks")[i % 2],
                    quantity=1200 + i,
                    lat=52.0,
                    lon=5.0,
                )
            )
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/riverbank/network")
    offers = page.locator('section[aria-labelledby="offers-h"]')
    expect(offers.locator("tbody tr")).to_have_count(100)
    pager = offers.get_by_role("navigation")
    assert axe_violations(page) == []
    pager.get_by_role("link", name=tr("Older")).click()
    expect(offers.locator("tbody tr")).to_have_count(20)
    said = tr("%(first)s–%(last)s of %(total)s", first="101", last="120", total="120")
    expect(offers.get_by_role("navigation")).to_contain_text(said)
    expect(offers.get_by_role("link", name=tr("Newer"))).to_be_visible()
    page.get_by_label(tr("Kind of food"), exact=True).select_option("leeks")
    page.get_by_role("button", name=tr("Show"), exact=True).click()
    expect(offers.locator("tbody tr")).to_have_count(60)
    expect(offers.locator("tbody tr").filter(has_text="plums")).to_have_count(0)
    expect(page.get_by_role("heading", name=tr("Open offers") + " · leeks")).to_be_visible()
    shot(page, "network-02-paged")

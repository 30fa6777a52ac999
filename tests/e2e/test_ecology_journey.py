"""A steward rates the domes, catches a gamed corporate plan, puts a fair crop plan to a vote."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    LiveServer,
    Words,
    axe_violations,
    both_languages,
    shot,
    shows_language,
    sign_in,
)
from tests.factories.accounts import PASSWORD, make_community, make_place, make_user
from tests.factories.ecology import seed_domes

GAMED = (
    "sample,Zea mays,Phaseolus vulgaris,Okra\n"
    "North Dome,190,3,0.1\nSouth Dome,140,0,0.1\nWillow Dome,110,0,0.1\n"
)


@both_languages
def test_ecology_journey(live_server: LiveServer, page: Page, tr: Words) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
        seed_domes(s, community, steward)
        make_place(s, community, "Enclave 7", kind="enclave", lat=51.46, lon=-2.58, population=400)
    base = f"{live_server.url}/communities/riverbank/ecology"

    page.goto(base)
    expect(page.get_by_role("heading", name=tr("How diverse are our domes?"))).to_be_visible()
    expect(
        page.get_by_text(
            tr(
                "The least diverse place is %(place)s; sharing seed of crops it lacks helps "
                "most there.",
                place="South Dome",
            )
        )
    ).to_be_visible()
    shows_language(page, tr, "Ecology", "How diverse are our domes?", "Sign in")
    assert axe_violations(page) == []
    shot(page, "ecology-01-ratings")

    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{base}/assessments")
    assert axe_violations(page) == []
    page.get_by_label(tr("Title")).fill("AgriCorp maize plan")
    page.get_by_label(tr("or paste the text")).fill(GAMED)
    page.get_by_role("button", name=tr("Assess")).click()
    # assessing runs in the background: the job's page follows it, then links to the result
    result = page.get_by_role("link", name=tr("Open the result"))
    expect(result).to_be_visible(timeout=60_000)
    result.click()
    expect(page.get_by_role("alert")).to_contain_text(tr("Warning: this change looks gamed"))
    shows_language(
        page, tr, "Warning: this change looks gamed", "All places together", "Each place"
    )
    assert axe_violations(page) == []
    shot(page, "ecology-02-gamed")

    page.goto(f"{base}/plans")
    page.get_by_label(tr("Smallest plot that counts (m²)")).fill("2")
    page.get_by_label(tr("Smallest plot that counts (m²)")).fill("-2")
    page.get_by_role("button", name=tr("Draft plan")).click()
    field = page.get_by_label(tr("Smallest plot that counts (m²)"))
    expect(field).to_have_value("-2")  # the form came back with what was typed
    expect(field).to_have_attribute("aria-invalid", "true")
    field.fill("2")
    page.get_by_role("button", name=tr("Draft plan")).click()
    expect(page.get_by_role("link", name=tr("Open the result"))).to_be_visible(timeout=60_000)
    assert axe_violations(page) == []
    page.get_by_role("link", name=tr("Open the result")).click()
    expect(page.get_by_role("heading", name=tr("Plantings"))).to_be_visible()
    shows_language(page, tr, "Crop plan", "Plantings", "Put this plan to a vote")
    assert axe_violations(page) == []
    shot(page, "ecology-03-plan")
    page.get_by_role("button", name=tr("Put this plan to a vote")).click()
    expect(page).to_have_url(f"{live_server.url}/communities/riverbank/governance/proposals/1")

    page.goto(f"{base}/food-access")
    expect(page.get_by_role("rowheader", name="Enclave 7")).to_be_visible()
    shows_language(page, tr, "How far is food from home?", "People far from food")
    assert axe_violations(page) == []
    shot(page, "ecology-04-food-access")


def test_ratings_table_on_a_phone(live_server: LiveServer, other_page: Page, tr: Words) -> None:
    page = other_page
    page.set_viewport_size({"width": 360, "height": 740})
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
        seed_domes(s, community, steward)
    page.goto(f"{live_server.url}/communities/riverbank/ecology")
    region = page.get_by_role("region", name=tr("Ratings per place (areas in m²)"))
    expect(region).to_be_visible()
    expect(
        region.get_by_role("columnheader", name=tr("Effective number of crops"))
    ).to_be_attached()
    # the table is wider than the phone: it scrolls inside its region, not the page
    widths = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1], widths
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= 360, page_width
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    assert axe_violations(page) == []
    shot(page, "ecology-05-ratings-phone")

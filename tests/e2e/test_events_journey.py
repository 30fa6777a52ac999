"""An organiser's journey: an event with a menu, sign-ups with a waitlist, a live flash call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from commonpot.communities.service import add_member
from commonpot.db import utcnow
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


def _setup(live_server: LiveServer) -> str:
    recipes = pytest.importorskip("tests.factories.recipes")
    with live_server.db.unit_of_work() as s:
        ada = make_user(s, "Ada Organiser", email="ada@example.org")
        community = make_community(s, ada, slug="riverbank")
        for name, email in (("Bo Member", "bo@example.org"), ("Cy Member", "cy@example.org")):
            add_member(s, community, make_user(s, name, email=email))
        make_place(s, community, "Long Table Kitchen", kind="kitchen")
        make_place(s, community, "Town Plaza", kind="plaza", lat=51.455, lon=-2.589)
        recipes.make_recipe(
            s, community, ada, name="Hominy stew", servings=6, ingredients=["600 g hominy"]
        )
    return f"{live_server.url}/communities/riverbank/events"


def _servings(page: Page) -> str:
    return page.locator("#shopping-servings").inner_text().strip()


@both_languages
def test_organiser_menu_waitlist_promotion_and_live_flash(
    live_server: LiveServer, page: Page, other_page: Page, tr: Words
) -> None:
    events = _setup(live_server)
    start = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT18:00")
    end = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT21:00")

    # the organiser creates the event; a wrong end time is explained first
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(events + "/new")
    assert axe_violations(page) == []
    page.get_by_label(tr("Title")).fill("Harvest supper")
    page.get_by_label(tr("Place")).select_option(label=f"Long Table Kitchen ({tr('kitchen')})")
    page.get_by_label(tr("Starts")).fill(start)
    page.get_by_label(tr("Ends")).fill(start.replace("T18", "T17"))
    page.get_by_label(tr("Time zone")).fill("Europe/London")
    page.get_by_label(tr("Capacity (people)")).fill("2")
    page.get_by_label(tr("Roles wanted")).fill("cook:2, helper")
    page.get_by_role("button", name=tr("Create event")).click()
    expect(page.get_by_role("alert")).to_contain_text(tr("The end must come after the start."))
    expect(page.get_by_label(tr("Title"))).to_have_value("Harvest supper")
    page.get_by_label(tr("Ends")).fill(end)
    page.get_by_role("button", name=tr("Create event")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harvest supper")
    event_url = page.url

    # a menu from the archive, and the organiser takes the first place
    page.get_by_label(tr("Add a recipe from the archive")).select_option(label="Hominy stew")
    page.get_by_role("button", name=tr("Add to menu")).click()
    expect(page.get_by_role("status")).to_contain_text(
        tr("%(dish)s is on the menu.", dish="Hominy stew")
    )
    page.get_by_role("button", name=tr("Sign up")).click()
    expect(page.locator("#my-status")).to_contain_text(tr("You're coming as"))
    assert _servings(page) == "1"
    expect(page.locator("#shopping-table")).to_contain_text("100 g hominy")
    shows_language(page, tr, "Events", "Details", "Menu", "Shopping list", "Who is coming")
    assert axe_violations(page) == []
    shot(page, "events-01-organiser-event-page")

    # Bo takes the second place: the list scales; Cy, at another browser, is waitlisted
    page.context.clear_cookies()
    sign_in(page, live_server.url, "bo@example.org", PASSWORD)
    page.goto(event_url)
    page.get_by_label(tr("Your role")).select_option("helper")
    page.get_by_role("button", name=tr("Sign up")).click()
    expect(page.locator("#my-status")).to_contain_text("helper")
    assert _servings(page) == "2"
    expect(page.locator("#shopping-table")).to_contain_text("200 g hominy")
    sign_in(other_page, live_server.url, "cy@example.org", PASSWORD)
    other_page.goto(event_url)
    other_page.get_by_role("button", name=tr("Join the waitlist")).click()
    expect(other_page.locator("#my-status")).to_contain_text(f"({tr('number')} 1)")
    shows_language(
        other_page,
        tr,
        "You're on the waitlist",
        "You move up automatically when someone withdraws.",
    )
    shot(other_page, "events-02-waitlisted-phone")

    # Bo withdraws: Cy moves up at once and Cy's open page counts it live
    page.once("dialog", lambda dialog: dialog.accept())  # a destructive action asks first
    page.get_by_role("button", name=tr("Withdraw")).click()
    expect(page.get_by_role("status")).to_contain_text(
        tr("Sign-up withdrawn. %(name)s moved up from the waitlist.", name="Cy Member")
    )
    other_page.reload()
    expect(other_page.locator("#my-status")).to_contain_text(tr("You're coming as"))
    assert _servings(other_page) == "2"

    # a flash event appears on Cy's open events page without a reload
    other_page.goto(events)
    expect(other_page.locator("body")).to_have_attribute("data-live", "open")
    assert axe_violations(other_page) == []
    page.context.clear_cookies()
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(events)
    shows_language(page, tr, "Events", "Happening now", "Coming up", "Call a flash event")
    assert axe_violations(page) == []
    page.get_by_text(tr("Call a flash event")).click()
    page.get_by_label(tr("What is happening?")).fill("Bring your ancestral recipe to the plaza")
    page.get_by_label(tr("Where")).select_option(label="Town Plaza")
    page.get_by_role("button", name=tr("Call it")).click()
    expect(page.get_by_role("status")).to_contain_text(tr("Flash event called."))
    live_card = other_page.locator("#flash-list")
    expect(live_card).to_contain_text("Bring your ancestral recipe to the plaza")
    expect(live_card).to_contain_text("Town Plaza")
    shot(other_page, "events-03-flash-arrives-live")
    # the caller says they are coming: the count on Cy's open page moves without a reload
    page.get_by_role("button", name=tr("Sign up")).click()
    expect(page.locator("#my-status")).to_contain_text(tr("You're coming as"))
    expect(live_card.locator("[data-count-for]")).to_have_text("1")
    shot(page, "events-04-flash-event-page")
    page.goto(event_url + "/check-in")
    expect(page.get_by_role("button", name=f"{tr('Arrived')}: Cy Member")).to_be_visible()
    shows_language(page, tr, "Check-in", "Arrived")
    assert axe_violations(page) == []
    page.get_by_role("button", name=f"{tr('Arrived')}: Cy Member").click()
    expect(page.get_by_role("status")).to_contain_text(tr("Checked in."))
    shot(page, "events-05-check-in")


def test_steward_pairs_a_class_and_plans_outreach_on_demo_data(
    live_server: LiveServer, page: Page
) -> None:
    from sqlalchemy import select

    from commonpot import demo
    from commonpot.events.models import Event

    with live_server.db.unit_of_work() as s:
        demo.load(s)
        bread = s.scalar(select(Event).where(Event.title == "Saturday bread class"))
        assert bread is not None
        bread_id = bread.id
    sign_in(page, live_server.url, "amara@riverside.example", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/communities/riverside/events/{bread_id}")
    pairs = page.locator("#pairs")
    expect(pairs).to_contain_text("Rosa Delgado")
    expect(pairs).to_contain_text("years apart")
    page.get_by_label("Teacher").select_option(label="Kenji Watanabe")
    page.get_by_label("Learner").select_option(label="Lina Delgado")
    page.get_by_label("Rule").select_option("pin")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("status")).to_contain_text("Pinned")
    first_row = page.locator("#pairs tbody tr").filter(has_text="Kenji Watanabe")
    expect(first_row).to_contain_text("Lina Delgado")
    expect(first_row).to_contain_text("pinned by a steward")
    expect(page.locator("#sessions")).to_contain_text("cancelled")
    assert axe_violations(page) == []
    shot(page, "events-06-class-pairs-and-sessions")
    page.goto(f"{live_server.url}/communities/riverside/events/outreach")
    expect(page.locator(".outreach-list li").first).to_contain_text("Enclave 7")
    assert axe_violations(page) == []
    shot(page, "events-07-outreach")
    page.goto(f"{live_server.url}/me/events")
    expect(page.locator("#feed-url")).to_contain_text("/me/calendar/")
    assert axe_violations(page) == []
    shot(page, "events-08-my-events")
    page.goto(f"{live_server.url}/communities/riverside/events/attendance")
    expect(page.get_by_role("row").filter(has_text="Kenji Watanabe")).to_contain_text("3")
    assert axe_violations(page) == []
    shot(page, "events-09-attendance-history")

"""Two forms that show only what applies: the event form's repeat picker, and the proposal
form's action details (each kind's fields only). Without scripts everything is shown."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_place, make_user


def _community(live_server: LiveServer) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
        make_place(s, community, "Riverbank Kitchen")


def test_repeat_picker_builds_a_weekly_class(live_server: LiveServer, page: Page) -> None:
    _community(live_server)
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/riverbank/events/new")
    how_often = page.get_by_label("How often")
    expect(how_often).to_have_value("none")
    expect(page.get_by_label("Tuesday")).to_be_hidden()  # nothing to pick until it repeats
    expect(page.locator("#ev-repeat-count")).to_be_hidden()
    how_often.select_option("daily")
    expect(page.locator("#ev-repeat-count")).to_be_visible()
    expect(page.get_by_label("Tuesday")).to_be_hidden()  # weekdays are for weekly repeats
    how_often.select_option("weekly")
    expect(page.get_by_label("Tuesday")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("Tamales on Tuesdays")
    page.get_by_label("Kind").select_option("class")
    page.get_by_label("Starts").fill("2031-01-07T18:00")
    page.get_by_label("Ends", exact=True).fill("2031-01-07T20:00")
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_label("Tuesday").check()
    page.locator("#ev-repeat-count").fill("8")
    shot(page, "events-repeat-picker")
    page.get_by_role("button", name="Create event").click()
    expect(page.locator("#repeats")).to_have_text("Every Tuesday, 8 times")
    expect(page.locator("#sessions li")).to_have_count(8)
    assert axe_violations(page) == []


def test_proposal_form_shows_the_chosen_actions_fields(live_server: LiveServer, page: Page) -> None:
    _community(live_server)
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/riverbank/governance")
    action = page.get_by_label("What happens if it passes")
    action.select_option("grant")
    expect(page.get_by_label("Amount")).to_be_visible()
    expect(page.get_by_label("Recipient")).to_be_visible()
    expect(page.get_by_label("New value")).to_be_hidden()
    expect(page.get_by_label("New least quorum")).to_be_hidden()
    assert axe_violations(page) == []
    action.select_option("admit_member")
    expect(page.get_by_label("Person (id)")).to_be_visible()
    expect(page.get_by_label("Role", exact=True)).to_be_visible()
    expect(page.get_by_label("Amount")).to_be_hidden()
    action.select_option("remove_member")
    expect(page.get_by_label("Person (id)")).to_be_visible()
    expect(page.get_by_label("Role", exact=True)).to_be_hidden()
    action.select_option("change_setting")
    expect(page.get_by_label("New value")).to_be_visible()
    expect(page.get_by_label("Person (id)")).to_be_hidden()
    shot(page, "governance-action-fields")
    assert axe_violations(page) == []


def test_without_scripts_every_section_is_shown_with_headings(
    live_server: LiveServer, browser: Browser
) -> None:
    _community(live_server)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "ada@example.org", PASSWORD)
        page.goto(f"{live_server.url}/communities/riverbank/governance")
        for heading in ("Grant: the details", "Setting: the details", "Membership: the details"):
            expect(page.get_by_role("group", name=heading)).to_be_visible()
        expect(page.get_by_label("Amount")).to_be_visible()
        expect(page.get_by_label("New value")).to_be_visible()
        page.goto(f"{live_server.url}/communities/riverbank/events/new")
        expect(page.get_by_label("Tuesday")).to_be_visible()
        expect(page.locator("#ev-repeat-count")).to_be_visible()
    finally:
        context.close()


def test_approval_results_and_ledger_in_words_are_axe_clean(
    live_server: LiveServer, page: Page
) -> None:
    from commonpot.accounts.models import User
    from tests.factories.governance import make_proposal, vote

    _community(live_server)
    with live_server.db.unit_of_work() as s:
        ada = s.scalar(select(User).where(User.email == "ada@example.org"))
        assert ada is not None
        s.expunge(ada)
    db, settings = live_server.db, live_server.settings
    number = make_proposal(
        db,
        ada,
        "riverbank",
        settings,
        method="approval",
        options=["Walnut", "Hazel"],
        rules={"open_results": True},
    )
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    url = f"{live_server.url}/communities/riverbank/governance/proposals/{number}"
    page.goto(url)
    expect(page.locator("#no-votes")).to_have_text("No votes yet.")
    vote(db, ada, "riverbank", number, {"approve": ["Hazel"]}, settings)
    page.goto(url)
    expect(page.locator("#tally caption")).to_have_text("Approvals")
    expect(page.locator("#rounds")).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "governance-approval-result")
    page.goto(f"{live_server.url}/communities/riverbank/governance/ledger")
    expect(page.locator(".entry-words").first).to_contain_text("Ada Steward voted on proposal")
    page.locator(".ledger-entry summary").first.click()
    expect(page.locator(".ledger-entry pre").first).to_contain_text('"type": "vote.cast"')
    assert axe_violations(page) == []
    shot(page, "governance-ledger-words")

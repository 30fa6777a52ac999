"""A person whose form is refused finds it again as they filled it in, told what to fix.

One event form and one governance form, in a real browser: the answer is 422, the message
is announced, the field is marked `aria-invalid`, what was typed is still there, and
nothing was stored.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from commonpot.db import utcnow
from commonpot.events.models import Event
from commonpot.governance.models import Proposal
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_place, make_user


def _count(live_server: LiveServer, model: type[object]) -> int:
    with live_server.db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def _submit(page: Page, button: str) -> int:
    """Press the form's button; the status of the answer to the POST."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=button).click()
    return answer.value.status


def test_refused_event_and_proposal_forms_come_back_as_typed(
    live_server: LiveServer, page: Page
) -> None:
    with live_server.db.unit_of_work() as s:
        ada = make_user(s, "Ada Organiser", email="ada@example.org")
        community = make_community(s, ada, slug="riverbank")
        make_place(s, community, "Long Table Kitchen", kind="kitchen")
    base = f"{live_server.url}/communities/riverbank"
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)

    # an event whose capacity is refused
    start = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT18:00")
    end = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT21:00")
    page.goto(base + "/events/new")
    page.get_by_label("Title").fill("Harvest supper")
    page.get_by_label("Starts").fill(start)
    page.get_by_label("Ends").fill(end)
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_label("Capacity (people)").fill("0")
    page.get_by_label("Roles wanted").fill("cook:2, helper")
    assert _submit(page, "Create event") == 422
    expect(page.get_by_role("alert")).to_contain_text("Capacity is a number of people")
    expect(page.get_by_label("Capacity (people)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title")).to_have_value("Harvest supper")
    expect(page.get_by_label("Starts")).to_have_value(start)
    expect(page.get_by_label("Roles wanted")).to_have_value("cook:2, helper")
    assert axe_violations(page) == []
    shot(page, "forms-01-event-refused")
    assert _count(live_server, Event) == 0

    # a proposal whose quorum is refused
    page.goto(base + "/governance")
    page.locator("#p-title").fill("Plant a walnut grove")
    page.locator("#p-body").fill("By the north bank, where the old orchard was.")
    page.locator("#p-quorum").fill("3/2")
    assert _submit(page, "Save draft") == 422
    expect(page.locator("#proposal-error")).to_be_visible()
    expect(page.locator("#p-quorum")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#p-quorum")).to_have_value("3/2")
    expect(page.locator("#p-title")).to_have_value("Plant a walnut grove")
    expect(page.locator("#p-body")).to_have_value("By the north bank, where the old orchard was.")
    assert axe_violations(page) == []
    shot(page, "forms-02-proposal-refused")
    assert _count(live_server, Proposal) == 0

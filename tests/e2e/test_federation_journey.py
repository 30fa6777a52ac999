"""Stewards answer a follow request and a report; a member reports and adapts a remote recipe."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from commonpot.communities.service import add_member
from commonpot.federation.models import Follower, RemoteItem, Report
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_user


def _setup(live_server: LiveServer) -> str:
    with live_server.db.unit_of_work() as s:
        ada = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, ada, slug="riverbank")
        add_member(s, community, make_user(s, "Bo Member", email="bo@example.org"))
        s.add(
            Follower(
                community_id=community.id,
                actor_id="https://mobilizon.example/@harvest_club",
                inbox="https://mobilizon.example/@harvest_club/inbox",
                domain="mobilizon.example",
                follow_id="https://mobilizon.example/follows/1",
                state="pending",
            )
        )
        s.add(
            RemoteItem(
                community_id=community.id,
                object_id="https://far.example/federation/friends/recipes/1",
                kind="recipe",
                origin_actor="https://far.example/federation/friends",
                origin_name="Far Friends",
                domain="far.example",
                name="Far porridge",
                summary="Oats from the far valley.",
                ingredients=["1 cup oats", "2 cups water"],
                steps=["Soak overnight.", "Simmer for ten minutes."],
            )
        )
    return f"{live_server.url}/communities/riverbank/federation"


def test_follow_request_report_and_adaptation(
    live_server: LiveServer, page: Page, other_page: Page
) -> None:
    url = _setup(live_server)

    # the steward: a wrong handle comes back with what was typed, then the request is accepted
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(url)
    assert axe_violations(page) == []
    page.get_by_label("Follow a community by its handle").fill("not a handle")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("@community@server.example")
    expect(page.get_by_label("Follow a community by its handle")).to_have_value("not a handle")
    expect(page.get_by_label("Follow a community by its handle")).to_have_attribute(
        "aria-invalid", "true"
    )
    page.get_by_label("New followers wait for a steward's approval").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("New followers now wait for approval")
    expect(page.get_by_label("New followers wait for a steward's approval")).to_be_checked()
    request = page.locator('li[data-follower="https://mobilizon.example/@harvest_club"]')
    request.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("Follower accepted")
    expect(page.get_by_text("No follow requests are waiting.")).to_be_visible()

    # a member reports the remote recipe and adapts it into the archive
    sign_in(other_page, live_server.url, "bo@example.org", PASSWORD)
    other_page.goto(url)
    assert axe_violations(other_page) == []
    expect(other_page.get_by_text("Follow requests")).to_have_count(0)
    other_page.get_by_text("Report", exact=True).click()
    other_page.get_by_label("What is wrong?").fill("The steps link to a shop.")
    other_page.get_by_label("Also tell their server").uncheck()
    other_page.get_by_role("button", name="Send report").click()
    expect(other_page.get_by_role("status")).to_contain_text("the stewards will look")
    other_page.get_by_role("button", name="Adapt into our archive").click()
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Far porridge")
    expect(other_page.get_by_text("far.example").first).to_be_visible()

    # the steward resolves the report and removes the remote item
    page.goto(url)
    report = page.locator("li[data-report]").first
    expect(report).to_contain_text("The steps link to a shop.")
    report.get_by_label("Remove the reported content here").check()
    report.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_contain_text("Report handled")
    expect(page.locator('li[data-report][data-state="resolved"]')).to_have_count(1)
    assert axe_violations(page) == []
    shot(page, "federation-moderation")
    with live_server.db.unit_of_work(write=False) as s:
        assert s.scalars(select(Follower.state)).all() == ["accepted"]
        assert s.scalars(select(Report.state)).all() == ["resolved"]
        assert s.scalars(select(RemoteItem)).all() == []

"""A newcomer's journey: invitation link → sign up → community → add a place on the map.

Runs once in English and once in Spanish (the browser's Accept-Language): every label the test
reads comes from the catalog, and in Spanish no menu or heading is left in English."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from commonpot.communities.models import Place
from commonpot.communities.roles import add_member
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
def test_invitation_sign_up_and_add_place(live_server: LiveServer, page: Page, tr: Words) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
    # the steward makes the invitation in the browser
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/riverbank/members")
    page.get_by_role("button", name=tr("Create invitation link")).click()
    link = page.locator("#invitation-url").inner_text().strip()
    assert link.startswith(live_server.url + "/invite/")
    shows_language(page, tr, "Members", "Sign out", "Create invitation link")
    shot(page, "foundation-01-steward-invitation")
    page.context.clear_cookies()

    page.goto(link)
    join = f"{tr('Join')} {community.name}"
    expect(page.get_by_role("heading", name=join)).to_be_visible()
    shows_language(page, tr, "Sign in", "Your name", "Create my account and join")
    assert axe_violations(page) == []
    page.get_by_label(tr("Your name")).fill("Noor Newcomer")
    page.get_by_label(tr("E-mail")).fill("ada@example.org")  # taken: the server must say so
    page.get_by_label(tr("Password (10 characters or more)")).fill("a long enough passphrase")
    page.get_by_role("button", name=tr("Create my account and join")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        tr("An account with this e-mail already exists; sign in instead.")
    )
    expect(page.get_by_label(tr("Your name"))).to_have_value("Noor Newcomer")
    shot(page, "foundation-02-signup-error")
    page.get_by_label(tr("E-mail")).fill("noor@example.org")
    page.get_by_label(tr("Password (10 characters or more)")).fill("a long enough passphrase")
    page.get_by_role("button", name=tr("Create my account and join")).click()
    expect(page.get_by_role("status")).to_contain_text(
        tr("Welcome to %(community)s!", community=community.name)
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(community.name)
    shows_language(page, tr, "Places", "Members", "Sign out")
    assert axe_violations(page) == []
    shot(page, "foundation-03-community-home")

    # sign out and back in, as a returning person would
    page.get_by_role("button", name=tr("Sign out")).click()
    sign_in(page, live_server.url, "noor@example.org", "a long enough passphrase")
    page.goto(f"{live_server.url}/communities/riverbank/places")
    map_box = page.locator("#map")
    expect(map_box).to_be_visible()
    expect(map_box).to_have_attribute("data-ready", "true")
    map_box.click(position={"x": 200, "y": 150})
    assert page.get_by_label(tr("Latitude")).input_value() != ""
    page.get_by_label(tr("Name")).fill("Fig tree by the bridge")
    page.get_by_label(tr("Kind")).select_option("garden")
    page.get_by_role("button", name=tr("Add place")).click()
    expect(page.get_by_role("status")).to_contain_text(
        tr("Added %(place)s to the map.", place="Fig tree by the bridge")
    )
    expect(page.get_by_role("cell", name="Fig tree by the bridge")).to_be_visible()
    shows_language(page, tr, "Places", "Latitude", "Add place")
    assert axe_violations(page) == []
    shot(page, "foundation-04-place-added")
    with live_server.db.unit_of_work(write=False) as s:
        names = set(s.scalars(select(Place.name)))
    assert "Fig tree by the bridge" in names


@both_languages
def test_a_steward_finds_a_member_among_many(
    live_server: LiveServer, page: Page, tr: Words
) -> None:
    """120 members: the list shows a hundred and the rest a click away; a name typed in the
    search box finds its person, whose role form is at hand; the page passes axe."""
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
        for i in range(120):
            add_member(s, community, make_user(s, f"Neighbour {i:03d}"))
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/riverbank/members")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(100)
    assert axe_violations(page) == []
    page.get_by_role("link", name=tr("Older")).click()
    expect(rows).to_have_count(21)
    page.get_by_role("searchbox", name=tr("Name")).fill("neighbour 117")
    page.get_by_role("button", name=tr("Find"), exact=True).click()
    expect(rows).to_have_count(1)
    expect(page.get_by_label(f"{tr('Role of')} Neighbour 117")).to_be_visible()
    page.get_by_role("link", name=tr("Every member")).click()
    expect(rows).to_have_count(100)

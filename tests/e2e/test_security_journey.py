"""A hostile member names a place and a foraging patch with HTML; visitors see only text.

The names go through the real forms; an anonymous visitor opens the community page and a
steward the patches page, and each opens the marker's popup. The name must show literally,
no element from it may exist, no dialog may open and the payload's script must not run. The
`page`/`other_page` fixtures also fail the test on any Content-Security-Policy violation.
"""

from __future__ import annotations

from playwright.sync_api import Dialog, Page, expect

from commonpot.communities import service as communities
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_user

PLACE = 'P"><img src=x onerror="window.__xssRan=1;alert(1)">'
PATCH = "Q'><img src=x onerror='window.__xssRan=2;alert(2)'><b>bold</b>"


def _watch_dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def _open_popup(page: Page, map_selector: str, name: str) -> None:
    # no wait_for_function: its polling evaluates strings, which the page's CSP forbids
    expect(page.locator(map_selector)).to_have_attribute("data-ready", "true")
    marker = page.locator(f"{map_selector} .leaflet-marker-icon").and_(
        page.get_by_title(name, exact=True)
    )
    expect(marker).to_have_count(1)
    marker.click()
    expect(page.locator(f"{map_selector} .leaflet-popup-content")).to_be_visible()


def _assert_inert(page: Page, map_selector: str, name: str, dialogs: list[str]) -> None:
    popup = page.locator(f"{map_selector} .leaflet-popup-content")
    expect(popup).to_contain_text(name)
    assert popup.locator("img").count() == 0
    assert popup.locator("b").count() == 0
    assert page.locator(f"{map_selector} img[src='x']").count() == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert page.evaluate("window.__xssRan") is None
    assert dialogs == []


def test_hostile_names_show_as_text_in_map_popups(
    live_server: LiveServer, page: Page, other_page: Page
) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Sol Steward", email="sol@example.org")
        mallory = make_user(s, "Mallory Member", email="mallory@example.org")
        community = make_community(s, steward, slug="openfield")
        communities.add_member(s, community, mallory, "member")

    # a plain member names a place and a patch with HTML, through the real forms
    sign_in(page, live_server.url, "mallory@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/openfield/places")
    page.get_by_label("Name").fill(PLACE)
    page.get_by_label("Latitude").fill("51.4551")
    page.get_by_label("Longitude").fill("-2.5871")
    page.get_by_role("button", name="Add place").click()
    expect(page.get_by_role("cell", name=PLACE)).to_be_visible()
    page.goto(f"{live_server.url}/communities/openfield/network/patches")
    page.get_by_label("Name").fill(PATCH)
    page.get_by_label("Species").fill("Rubus fruticosus")
    page.get_by_label("Sustainable yield per season (kg)").fill("4")
    page.get_by_label("Latitude").fill("51.4562")
    page.get_by_label("Longitude").fill("-2.5893")
    page.get_by_role("button", name="Save patch").click()
    expect(page.get_by_role("cell", name=PATCH)).to_be_visible()

    # an anonymous visitor opens the community page and the place's popup
    dialogs = _watch_dialogs(other_page)
    other_page.goto(f"{live_server.url}/communities/openfield")
    _open_popup(other_page, "#map", PLACE)
    _assert_inert(other_page, "#map", PLACE, dialogs)
    shot(other_page, "security-01-place-popup-text")
    assert axe_violations(other_page) == []

    # a steward opens the patches page and the patch's popup
    sign_in(other_page, live_server.url, "sol@example.org", PASSWORD)
    other_page.goto(f"{live_server.url}/communities/openfield/network/patches")
    _open_popup(other_page, "#patch-map", PATCH)
    _assert_inert(other_page, "#patch-map", PATCH, dialogs)
    shot(other_page, "security-02-patch-popup-text")

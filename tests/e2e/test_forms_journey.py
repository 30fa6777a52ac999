"""In a real browser: a failed form comes back (422) with what was typed, the reason and the
field marked; a recipe file import runs in the background and its result opens the recipe."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from commonpot.communities.models import Place
from commonpot.recipes.models import Recipe
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_user

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"


def _places(server: LiveServer) -> int:
    with server.db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count(Place.id))) or 0)


def _submit(page: Page, path_end: str, button: str) -> int:
    """Press the form's button; the status of the POST it sends."""
    with page.expect_response(
        lambda r: r.url.endswith(path_end) and r.request.method == "POST"
    ) as posted:
        page.get_by_role("button", name=button).click()
    return posted.value.status


def test_failed_place_form_keeps_what_was_typed(live_server: LiveServer, page: Page) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        make_community(s, steward, slug="riverbank")
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    before = _places(live_server)
    page.goto(f"{live_server.url}/communities/riverbank/places")
    page.get_by_label("Name").fill("Old mill by the weir")
    page.get_by_label("Kind").select_option("kitchen")
    page.get_by_label("Description").fill("Bread on Saturdays")
    page.get_by_label("Latitude").fill("north of the bridge")
    page.get_by_label("Longitude").fill("5.1")
    assert _submit(page, "/places", "Add place") == 422
    expect(page.get_by_role("alert")).to_contain_text("must be numbers")
    expect(page.get_by_label("Name")).to_have_value("Old mill by the weir")
    expect(page.get_by_label("Kind")).to_have_value("kitchen")
    expect(page.get_by_label("Description")).to_have_value("Bread on Saturdays")
    expect(page.get_by_label("Latitude")).to_have_value("north of the bridge")
    expect(page.get_by_label("Latitude")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    shot(page, "forms-01-place-kept")
    assert _places(live_server) == before
    # fixing the one field is enough: the rest is still there
    page.get_by_label("Latitude").fill("51.5")
    page.get_by_role("button", name="Add place").click()
    expect(page.get_by_role("status")).to_contain_text("Added Old mill by the weir")
    assert _places(live_server) == before + 1


def test_recipe_file_import_runs_in_the_background(live_server: LiveServer, page: Page) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        make_community(s, steward, slug="riverbank")
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/communities/riverbank/recipes/import")
    page.get_by_label("Web address of a recipe page").fill("gopher://example.org/soup")
    assert _submit(page, "/import", "Import") == 422
    expect(page.get_by_label("Web address of a recipe page")).to_have_value(
        "gopher://example.org/soup"
    )
    expect(page.get_by_label("Web address of a recipe page")).to_have_attribute(
        "aria-invalid", "true"
    )
    page.get_by_label("Web address of a recipe page").fill("")
    page.locator("#file").set_input_files(str(FIXTURES / "microdata.html"))
    page.get_by_role("button", name="Import").click()
    expect(page).to_have_url(re.compile(r".*/jobs/\d+$"))
    # the progress figure is there whatever state the job has reached (a small file can be
    # done before the page's live stream connects, and then the bar gives way to the link)
    expect(page.locator("#job-percent")).to_be_visible()
    result = page.locator("#job-result-link")
    expect(result).to_be_visible(timeout=20000)
    expect(page.locator("#job-percent")).to_have_text("100%")
    expect(page.locator("#job-state")).to_have_text("done")
    shot(page, "forms-02-import-job-done")
    result.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    with live_server.db.unit_of_work(write=False) as s:
        names = list(s.scalars(select(Recipe.name)))
    assert len(names) == 1
    expect(page.get_by_role("heading", level=1)).to_contain_text(names[0])

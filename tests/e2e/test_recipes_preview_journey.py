"""The recipe editor's preview of the ingredient lines names each unit it read in the reader's
language (issue 19): "1 cup blue cornmeal" shows "cup" in English and its Spanish word in
Spanish, whatever language the line was typed in. Runs once in English and once in Spanish."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, Words, axe_violations, both_languages, shot, sign_in
from tests.factories.accounts import PASSWORD, make_world


@both_languages
def test_the_ingredient_preview_names_units_in_the_readers_language(
    live_server: LiveServer, page: Page, tr: Words
) -> None:
    world = make_world(live_server.db)
    sign_in(page, live_server.url, world.custodian.email, PASSWORD)
    page.goto(f"{live_server.url}/communities/publicville/recipes")
    page.get_by_role("link", name=tr("Record a recipe")).click()
    page.get_by_label(tr("Ingredients, one per line")).fill(
        "1 cup blue cornmeal\n2 cucharadas piloncillo\n3 cloves garlic\nsalt to taste"
    )
    preview = page.locator("#ingredient-preview")
    expect(preview.get_by_role("table")).to_be_visible()
    for food, unit in (("blue cornmeal", "cup"), ("piloncillo", "tablespoon"), ("garlic", "clove")):
        cells = preview.get_by_role("row").filter(has_text=food).get_by_role("cell")
        expect(cells.nth(1)).to_have_text(tr(unit))
        if tr.lang != "en":
            assert tr(unit) != unit  # a Spanish word, not the English one
    # a line without a unit shows a dash, as before
    expect(
        preview.get_by_role("row").filter(has_text="to taste").get_by_role("cell").nth(1)
    ).to_have_text("—")
    expect(preview.get_by_role("columnheader", name=tr("Unit"))).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "recipes-05-ingredient-preview")

"""A custodian records an elder's recipe with lineage and a recorded story, keeps it in the
community; a member finds it by ingredient, an outsider cannot; a cook scales it for forty
and prints the shopping list. Runs once in English and once in Spanish."""

from __future__ import annotations

import io
import wave
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from commonpot.recipes.models import OralHistory, Recipe
from tests.e2e.conftest import (
    LiveServer,
    Words,
    axe_violations,
    both_languages,
    shot,
    shows_language,
    sign_in,
)
from tests.factories.accounts import PASSWORD, make_world


def _wav(path: Path) -> Path:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 1600)
    path.write_bytes(buffer.getvalue())
    return path


@both_languages
def test_custodian_records_member_finds_outsider_cannot(
    live_server: LiveServer, page: Page, tmp_path: Path, tr: Words
) -> None:
    world = make_world(live_server.db)
    base = f"{live_server.url}/communities/publicville/recipes"

    sign_in(page, live_server.url, world.custodian.email, PASSWORD)
    page.goto(base)
    expect(page.get_by_text(tr("No recipes yet."))).to_be_visible()
    page.get_by_role("link", name=tr("Record a recipe")).click()
    page.get_by_label(tr("Name"), exact=True).fill("Grandmother Ines' blue corn atole")
    page.get_by_label(tr("Serves")).fill("4")
    page.get_by_label(tr("Ingredients, one per line")).fill(
        "1 cup blue cornmeal\n4 cups water\n2 tbsp piloncillo\n1 pinch salt"
    )
    expect(page.get_by_role("cell", name="blue cornmeal")).to_be_visible()
    page.get_by_label(tr("Steps, one per line")).fill(
        "Whisk the cornmeal into cold water.\nSimmer, stirring, until thick."
    )
    page.get_by_label(tr("Place of origin")).fill("Zuni Pueblo")
    page.get_by_label(tr("The story, in the teller's words")).fill(
        "Ines made it on the first cold morning of every year."
    )
    for i, (generation, name, relation, place, years) in enumerate(
        [
            ("1", "Ines Lucero", "grandmother", "Zuni", "1930s"),
            ("2", "Maria Lucero", "mother", "", ""),
            ("3", "Custodian", "granddaughter", "", ""),
        ]
    ):
        for column, value in (
            ("Generation", generation),
            ("Name", name),
            ("Relation", relation),
            ("Place", place),
            ("Years", years),
        ):
            page.get_by_label(f"{tr(column)} {i + 1}", exact=True).fill(value)
    page.get_by_label(tr("Members of this community only")).check()
    page.get_by_label("TK Community Use Only").check()  # a Local Contexts name: not translated
    shows_language(
        page, tr, "Record a recipe", "The dish", "Where it comes from", "Protocol", "January"
    )
    assert axe_violations(page) == []
    shot(page, "recipes-01-editor")
    page.get_by_role("button", name=tr("Save recipe")).click()
    expect(page.get_by_role("status")).to_contain_text(tr("Recipe saved."))
    expect(page.get_by_role("heading", level=1)).to_have_text("Grandmother Ines' blue corn atole")
    expect(page.get_by_text(f"{tr('Generation')} 3")).to_be_visible()
    expect(page.get_by_role("note", name=tr("Protocol notices"))).to_contain_text(
        tr("Community only: for members of %(community)s.", community=world.public.name)
    )

    page.get_by_text(tr("Add a recorded story")).click()
    page.get_by_label(tr("Who is telling")).fill("Ines Lucero")
    page.get_by_label(tr("Recorded by"), exact=True).fill("Custodian")
    page.get_by_label(tr("Audio file (mp3, ogg, wav, webm, m4a)")).set_input_files(
        str(_wav(tmp_path / "ines.wav"))
    )
    page.get_by_label(tr("Transcript")).fill("The first cold morning, we made atole.")
    page.get_by_label(tr("Consent given by")).fill("Ines Lucero")
    page.get_by_label(tr("Consent date")).fill("2026-02-01")
    page.get_by_label(tr("Consent covers")).fill("Members may listen")
    page.get_by_role("button", name=tr("Add story")).click()
    expect(page.get_by_role("status")).to_contain_text(tr("Story added."))
    audio = page.locator("audio")
    expect(audio).to_have_count(1)
    shows_language(page, tr, "Ingredients", "Steps", "The story", "Lineage", "Recorded stories")
    assert axe_violations(page) == []
    shot(page, "recipes-02-recipe-with-story")
    recipe_url = page.url.split("#")[0]
    page.context.clear_cookies()

    # a member finds it by ingredient
    sign_in(page, live_server.url, world.member.email, PASSWORD)
    page.goto(base)
    page.get_by_label(tr("Ingredient")).fill("cornmeal")
    page.get_by_role("button", name=tr("Search")).click()
    expect(page.get_by_role("link", name="Grandmother Ines' blue corn atole")).to_be_visible()
    shows_language(page, tr, "Recipes", "Search", "Record a recipe")
    shot(page, "recipes-03-member-search")

    # ... and, as the cook, scales it for forty and prints the shopping list
    page.get_by_role("link", name="Grandmother Ines' blue corn atole").click()
    page.get_by_label(tr("Servings")).fill("40")
    page.get_by_role("button", name=tr("Scale")).click()
    for_40 = tr.n("for %(count)s person", "for %(count)s people", 40)
    expect(
        page.get_by_role(
            "heading",
            name=f"{tr('Ingredients')} — {for_40}",
        )
    ).to_be_visible()
    cornmeal = f"10 {tr('cups')} blue cornmeal"  # units in the reader's words ("10 tazas")
    expect(page.get_by_text(cornmeal)).to_be_visible()
    page.get_by_role("link", name=f"{tr('Shopping list for')} 40").click()
    expect(page.get_by_text(cornmeal)).to_be_visible()
    shows_language(page, tr, "Shopping list", "To buy")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name=tr("Print"))).to_be_hidden()
    shot(page, "recipes-04-shopping-list-print")
    page.emulate_media(media="screen")
    page.context.clear_cookies()

    # an outsider cannot find or open it
    sign_in(page, live_server.url, world.outsider.email, PASSWORD)
    page.goto(f"{base}?ingredient=cornmeal")
    expect(
        page.get_by_text(tr("No recipe matches. Try fewer words, or search by one ingredient."))
    ).to_be_visible()
    response = page.goto(recipe_url)
    assert response is not None
    assert response.status == 404
    shot(page, "recipes-05-outsider")

    with live_server.db.unit_of_work(write=False) as s:
        recipe = s.scalar(select(Recipe))
        assert recipe is not None
        assert recipe.reach == "community"
        assert recipe.labels == ["TK CO"]
        story = s.scalar(select(OralHistory))
        assert story is not None
        assert story.audio_type == "audio/wav"

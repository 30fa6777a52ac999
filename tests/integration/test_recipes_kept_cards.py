"""A recipe's card on the recipe list is written from `recipes.web.card_key`'s values alone
and kept (`_card_html`): it reads exactly as the card template writes the listed row
itself, with its tags, for every kind of recipe and language, on both databases; and a
change shows at once on the page."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi.testclient import TestClient

from commonpot.accounts import Viewer
from commonpot.db import Database
from commonpot.recipes import browse
from commonpot.recipes.browse import SearchQuery
from commonpot.recipes.models import Recipe
from commonpot.recipes.web import SHOWN_DESCRIPTION, _card_html, card_key
from commonpot.templating import fragment, make_templates
from tests.factories.accounts import make_world, sign_in
from tests.factories.governance import fetch_community
from tests.factories.recipes import make_recipe

LONG = " ".join(["a slow braise of beans and smoke and the stories told around it"] * 6)


def test_a_kept_card_reads_as_the_template_writes_the_row_itself(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        make_recipe(s, community, world.member, name="Plain <soup> & bread", tags=[])
        make_recipe(s, community, world.member, name="Long story", description=LONG)
        make_recipe(
            s,
            community,
            world.custodian,
            name="Sacred corn mush",
            labels=["TK CO"],
            tags=["ceremony", "corn"],
            reach="community",
            cuisine="",
            origin_place="",
        )
        short = LONG[: SHOWN_DESCRIPTION - 1]  # shown whole: no cut at all
        make_recipe(s, community, world.member, name="Just short enough", description=short)
        make_recipe(s, community, world.member, name="No words", description="")
    templates = make_templates()
    with db.unit_of_work(write=False) as s:
        community = fetch_community(s, world.public.slug)
        viewer = Viewer(user=s.get(type(world.member), world.member.id))
        rows = browse.search_recipes(s, community, viewer, SearchQuery(limit=100))
        tags = browse.tags_of(s, community, [r.id for r in rows])
        assert len(rows) >= 5
        for row in rows:
            for locale in ("en", "es"):
                kept = _card_html(templates, locale, world.public.slug, card_key(row, tags[row.id]))
                direct = fragment(
                    templates,
                    "recipes/_card.html",
                    locale,
                    r=row,
                    tags=tags[row.id],
                    community=SimpleNamespace(slug=world.public.slug),
                )
                assert kept == direct, row.name
        by_name = {r.name: r for r in rows}
        long_card = _card_html(
            templates, "en", world.public.slug, card_key(by_name["Long story"], [])
        )
        assert "..." in long_card and LONG not in long_card
        plain = _card_html(
            templates, "es", world.public.slug, card_key(by_name["Plain <soup> & bread"], [])
        )
        assert "Plain &lt;soup&gt; &amp; bread" in plain
        sacred = _card_html(
            templates,
            "es",
            world.public.slug,
            card_key(by_name["Sacred corn mush"], tags[by_name["Sacred corn mush"].id]),
        )
        assert "TK CO" in sacred and "?tag=ceremony" in sacred


def test_the_recipe_list_shows_a_changed_recipe_at_once(client: TestClient, db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        recipe_id = make_recipe(s, community, world.member, name="Soup of the day").id
    sign_in(client, db, world.member)
    page = f"/communities/{world.public.slug}/recipes"
    assert "Soup of the day" in client.get(page).text
    with db.unit_of_work() as s:
        found = s.get(Recipe, recipe_id)
        assert found is not None
        found.name = "Stew of the day"
    after = client.get(page).text
    assert "Stew of the day" in after and "Soup of the day" not in after
    assert "Stew of the day" in client.get(page, headers={"Accept-Language": "es"}).text

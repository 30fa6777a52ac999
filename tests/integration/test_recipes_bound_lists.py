"""The recipe list without a search, and its tag and cuisine facets, come from statements
built once per viewer kind (`recipes.service.visible_bound`): for every kind of reader they
list exactly what THE visibility rule (`visible_recipes`) lets them see, on both databases."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from commonpot.accounts import ANONYMOUS, Viewer
from commonpot.accounts.models import User
from commonpot.communities.models import Community
from commonpot.db import Database, utcnow
from commonpot.recipes import browse
from commonpot.recipes.models import Recipe, RecipeTag
from commonpot.recipes.service import visible_recipes
from tests.factories.accounts import make_world
from tests.factories.recipes import make_recipe


def test_the_unsearched_list_and_facets_follow_the_visibility_rule(db: Database) -> None:
    world = make_world(db)
    month = utcnow().month
    away = (month + 5) % 12 + 1  # a season that is not now
    with db.unit_of_work() as s:
        public = s.get(Community, world.public.id)
        assert public is not None
        make_recipe(s, public, world.member, name="Soup", cuisine="Andean", tags=["soup", "winter"])
        make_recipe(s, public, world.custodian, name="Mush", labels=["TK CO"], tags=["ceremony"])
        make_recipe(
            s, public, world.steward, name="Out of season", cuisine="Andean", tags=["winter"],
            season_start=away, season_end=away,
        )  # fmt: skip
        make_recipe(s, public, world.steward, name="Bread", cuisine="Basque")
    readers = [None, world.outsider, world.member, world.custodian, world.steward, world.admin]
    seen_lists = set()
    for person in readers:
        with db.unit_of_work(write=False) as s:
            public = s.get(Community, world.public.id)
            assert public is not None
            viewer = ANONYMOUS if person is None else Viewer(user=s.get(User, person.id))
            expected = list(
                s.scalars(visible_recipes(s, public, viewer).order_by(Recipe.id.desc()))
            )
            listed = browse.search_recipes(s, public, viewer, browse.SearchQuery(limit=100))
            assert [r.id for r in listed] == [r.id for r in expected]
            ids = {r.id for r in expected}
            tags = Counter(t.tag for t in s.scalars(select(RecipeTag)) if t.recipe_id in ids)
            cuisines = Counter(r.cuisine for r in expected if r.cuisine)
            assert browse.facets(s, public, viewer) == (
                sorted(tags.items()),
                sorted(cuisines.items()),
            )
            first = browse.search_recipes(s, public, viewer, browse.SearchQuery(limit=1, offset=1))
            assert [r.id for r in first] == [r.id for r in expected][1:2]
            seen_lists.add(tuple(r.id for r in expected))
    assert len(seen_lists) >= 3  # visitors, members and keepers see different lists

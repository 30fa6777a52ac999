"""Recipe services on real SQLite and PostgreSQL: writing, visibility, search, heritage."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonpot.accounts.service import ANONYMOUS, Viewer
from commonpot.db import Database, utcnow
from commonpot.errors import Forbidden, Invalid, NotFound
from commonpot.recipes import browse, exchange, heritage, service
from commonpot.recipes.browse import SearchQuery
from commonpot.recipes.models import Recipe, RecipeIngredient
from commonpot.recipes.schemas import OralHistoryIn, TranslationIn
from tests.factories.recipes import make_recipe, make_recipe_world, ogg_opus_bytes, recipe_in

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"


def test_create_parses_ingredients_and_normalises(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        recipe = service.get_recipe(s, w.public, Viewer(user=w.member), rw.public_recipe)
        assert recipe.cook_time == "PT2H"
        assert [t.tag for t in recipe.tags] == ["feast", "winter"]
        first = recipe.ingredients[0]
        assert (first.quantity, first.unit, first.food, first.note) == (
            "1",
            "kilogram",
            "pork shoulder",
            "cubed",
        )
        assert [p.name for p in recipe.lineage] == ["Carmen Ruiz", "Rosa Delgado"]
        assert "guerrero" in recipe.search_text


def test_visibility_of_community_only_recipe(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work(write=False) as s:
        for viewer in (ANONYMOUS, Viewer(user=w.outsider), Viewer(user=w.admin)):
            with pytest.raises(NotFound):
                service.get_recipe(s, w.public, viewer, rw.community_recipe)
            names = [r.name for r in s.scalars(service.visible_recipes(s, w.public, viewer))]
            assert names == ["Three sisters soup"]
        member = Viewer(user=w.member)
        recipe = service.get_recipe(s, w.public, member, rw.community_recipe)
        assert recipe.reach == "community"


def test_labels_need_a_keeper(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s, pytest.raises(Forbidden, match="custodian or steward"):
        make_recipe(s, w.public, w.member, labels=["TK A"])
    with db.unit_of_work() as s:
        data = recipe_in(name="Opened", labels=["TK CO"])
        with pytest.raises(Forbidden):
            service.update_recipe(s, w.public, Viewer(user=w.member), rw.community_recipe, data)


def test_outsider_cannot_write(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s, pytest.raises(Forbidden):
        make_recipe(s, w.public, w.outsider)
    with db.unit_of_work() as s:
        assert s.scalar(select(func.count(Recipe.id))) == 3


def test_member_cannot_edit_others_recipe(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s, pytest.raises(Forbidden, match="author"):
        service.update_recipe(
            s, w.public, Viewer(user=w.member), rw.community_recipe, recipe_in(labels=["TK CO"])
        )


def test_seasonal_recipe_only_in_season(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        seasonal = make_recipe(
            s,
            w.public,
            w.custodian,
            name="Wild rice",
            labels=["TK S"],
            season_start=8,
            season_end=9,
        ).id
    with db.unit_of_work(write=False) as s:
        member = Viewer(user=w.member)

        def ids(day: date, viewer: Viewer) -> set[int]:
            stmt = service.visible_recipes(s, w.public, viewer, today=day)
            return {r.id for r in s.scalars(stmt)}

        assert seasonal in ids(date(2026, 8, 15), member)
        assert seasonal not in ids(date(2026, 1, 15), member)
        assert seasonal in ids(date(2026, 1, 15), Viewer(user=w.custodian))
        assert seasonal in ids(date(2026, 9, 1), ANONYMOUS)


def test_search_by_text_ingredient_origin_tag_language(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    member = Viewer(user=w.member)
    with db.unit_of_work() as s:
        service.save_translation(
            s,
            w.public,
            member,
            rw.public_recipe,
            TranslationIn(language="en", name="Three sisters soup (English)", story="Squash"),
        )
    with db.unit_of_work(write=False) as s:

        def names(viewer: Viewer, **query: str) -> list[str]:
            found = browse.search_recipes(s, w.public, viewer, SearchQuery(**query))
            return sorted(r.name for r in found)

        assert names(member, text="cornmeal") == ["Grandmother's sacred corn mush"]
        assert names(ANONYMOUS, text="cornmeal") == []
        both = sorted(["Three sisters soup", "Grandmother's sacred corn mush"])
        assert names(member, text="christmas eve") == both
        assert names(ANONYMOUS, text="CHRIST") == ["Three sisters soup"]
        assert names(member, ingredient="Blue Cornmeal") == ["Grandmother's sacred corn mush"]
        assert names(Viewer(user=w.outsider), ingredient="cornmeal") == []
        assert names(member, ingredient="hominy") == ["Three sisters soup"]
        assert names(ANONYMOUS, origin="guerrero") == ["Three sisters soup"]
        assert names(member, tag="Ceremony") == ["Grandmother's sacred corn mush"]
        assert names(ANONYMOUS, tag="ceremony") == []
        assert names(member, language="en") == ["Three sisters soup"]
        assert names(member, text="") == both
        assert names(member, text='"); DROP TABLE recipes; --') == []


def test_update_replaces_lines_and_reindexes(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    member = Viewer(user=w.member)
    with db.unit_of_work() as s:
        service.update_recipe(
            s, w.public, member, rw.public_recipe, recipe_in(ingredients=["2 cups quinoa"])
        )
    with db.unit_of_work(write=False) as s:
        assert (
            s.scalar(
                select(func.count(RecipeIngredient.id)).where(
                    RecipeIngredient.recipe_id == rw.public_recipe
                )
            )
            == 1
        )
        found = browse.search_recipes(s, w.public, member, SearchQuery(text="quinoa"))
        assert [r.id for r in found] == [rw.public_recipe]
        assert browse.search_recipes(s, w.public, member, SearchQuery(text="pork")) == []


def test_delete_removes_from_search(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        service.delete_recipe(s, w.public, Viewer(user=w.member), rw.public_recipe)
    with db.unit_of_work(write=False) as s:
        assert (
            browse.search_recipes(s, w.public, Viewer(user=w.member), SearchQuery(text="soup"))
            == []
        )


def test_variant_tree(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    member = Viewer(user=w.member)
    with db.unit_of_work() as s:
        child = make_recipe(
            s, w.public, w.member, name="Vegan sisters", based_on_id=rw.public_recipe
        )
        grandchild = make_recipe(s, w.public, w.member, name="Spicy", based_on_id=child.id).id
        hidden = make_recipe(
            s, w.public, w.custodian, name="Kept", based_on_id=child.id, labels=["TK SS"]
        ).id
    with db.unit_of_work(write=False) as s:
        tree = browse.variant_tree(s, w.public, member, grandchild)
        assert tree.id == rw.public_recipe
        assert [c.name for c in tree.children] == ["Vegan sisters"]
        assert sorted(c.id for c in tree.children[0].children) == sorted([grandchild, hidden])
        outsider_tree = browse.variant_tree(s, w.public, ANONYMOUS, grandchild)
        assert [c.id for c in outsider_tree.children[0].children] == [grandchild]


def test_a_hidden_variant_keeps_what_hangs_from_it_out_of_an_outsiders_tree(
    db: Database,
) -> None:
    """Hidden from an outsider: the hidden variant, and its own variants below it; seen from
    below it, the line upward ends at it (the outsider's tree starts at the variant)."""
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        kept = make_recipe(
            s, w.public, w.custodian, name="Kept", based_on_id=rw.public_recipe, labels=["TK SS"]
        ).id
        below = make_recipe(s, w.public, w.member, name="Below kept", based_on_id=kept).id
        other = make_recipe(s, w.public, w.member, name="Open", based_on_id=rw.public_recipe).id
        make_recipe(s, w.public, w.member, name="Unrelated")
    with db.unit_of_work(write=False) as s:
        outsider = browse.variant_tree(s, w.public, ANONYMOUS, other)
        assert outsider.id == rw.public_recipe
        assert [c.id for c in outsider.children] == [other]
        from_below = browse.variant_tree(s, w.public, ANONYMOUS, below)
        assert (from_below.id, from_below.children) == (below, [])
        keeper = browse.variant_tree(s, w.public, Viewer(user=w.custodian), below)
        assert keeper.id == rw.public_recipe
        assert sorted(c.id for c in keeper.children) == sorted([kept, other])
        assert [c.id for k in keeper.children if k.id == kept for c in k.children] == [below]


def test_the_variant_tree_shows_twenty_generations_around_a_recipe(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        line = [rw.public_recipe]
        for n in range(25):
            line.append(make_recipe(s, w.public, w.member, name=f"G{n}", based_on_id=line[-1]).id)
    with db.unit_of_work(write=False) as s:
        tree = browse.variant_tree(s, w.public, ANONYMOUS, line[-1])
        assert tree.id == line[-1 - service.FAMILY_DEPTH]  # twenty generations up
        depth, node = 0, tree
        while node.children:
            [node] = node.children
            depth += 1
        assert (depth, node.id) == (service.FAMILY_DEPTH, line[-1])


def test_the_variant_tree_of_a_hidden_recipe_does_not_exist(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        kept = make_recipe(s, w.public, w.custodian, name="Kept", labels=["TK SS"]).id
    with db.unit_of_work(write=False) as s:
        with pytest.raises(NotFound, match=f"No recipe {kept} here"):
            browse.variant_tree(s, w.public, ANONYMOUS, kept)
        with pytest.raises(NotFound):
            browse.variant_tree(s, w.public, ANONYMOUS, rw.private_recipe)
        assert browse.variant_tree(s, w.public, Viewer(user=w.custodian), kept).id == kept


def test_variant_of_hidden_recipe_is_invalid(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s, pytest.raises(Invalid, match="base this one on"):
        make_recipe(s, w.public, w.member, based_on_id=rw.private_recipe)


def test_oral_history_requires_consent_and_real_audio(db: Database, tmp_path: Path) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    member = Viewer(user=w.member)
    story = OralHistoryIn(
        narrator="Rosa Delgado",
        recorded_by="Lina Delgado",
        transcript="We cooked it all night.",
        consent_by="Rosa Delgado",
        consent_scope="Members of the community may listen.",
        consent_on="2026-03-01",
    )
    with db.unit_of_work() as s, pytest.raises(Invalid, match="not audio"):
        heritage.add_oral_history(
            s,
            w.public,
            member,
            rw.public_recipe,
            story,
            audio=b"<html>not audio</html>",
            data_dir=tmp_path,
            max_bytes=10**6,
        )
    with db.unit_of_work() as s:
        item = heritage.add_oral_history(
            s,
            w.public,
            member,
            rw.public_recipe,
            story,
            audio=ogg_opus_bytes(),
            data_dir=tmp_path,
            max_bytes=10**6,
        )
        item_id = item.id
    with db.unit_of_work(write=False) as s:
        path, media = heritage.audio_for(s, w.public, member, rw.public_recipe, item_id, tmp_path)
        assert media == "audio/ogg"
        assert path.read_bytes().startswith(b"OggS")
        # the teller's consent defaults to the community's members: a visitor hears nothing
        with pytest.raises(NotFound):
            heritage.audio_for(s, w.public, ANONYMOUS, rw.public_recipe, item_id, tmp_path)


def test_import_and_export_round_trip(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    member = Viewer(user=w.member)
    with db.unit_of_work() as s:
        (recipe,) = exchange.import_content(
            s, w.public, member, (FIXTURES / "graph_yoast.html").read_bytes()
        )
        rid = recipe.id
    with db.unit_of_work(write=False) as s:
        doc = exchange.export_jsonld(s, w.public, member, rid, url="http://x/recipes/9")
        assert doc["name"] == "Grandma Ruth’s Barley & Leek Soup"
        assert doc["recipeIngredient"][0] == "1 cup pearl barley, rinsed"
        assert [sec["name"] for sec in doc["recipeInstructions"]] == [
            "Soak the barley",
            "Make the soup",
        ]
        assert doc["cookTime"] == "PT1H30M"
        assert doc["commonpot:community"]["name"] == w.public.name


def test_import_without_recipe_stores_nothing(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s, pytest.raises(Invalid):
        exchange.import_content(
            s, w.public, Viewer(user=w.member), (FIXTURES / "no_recipe.html").read_bytes()
        )
    with db.unit_of_work() as s:
        assert s.scalar(select(func.count(Recipe.id))) == 3


def test_export_hidden_recipe_is_not_found(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work(write=False) as s, pytest.raises(NotFound):
        exchange.export_jsonld(s, w.public, Viewer(user=w.outsider), rw.community_recipe)


def test_export_carries_protocol(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work(write=False) as s:
        doc = exchange.export_jsonld(s, w.public, Viewer(user=w.member), rw.community_recipe)
        assert doc["commonpot:protocolLabels"][0]["commonpot:code"] == "TK CO"
        assert "Restricted to members" in doc["conditionsOfAccess"]
        assert doc["commonpot:lineage"][0]["name"] == "Carmen Ruiz"


def test_scale_and_shopping(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    member = Viewer(user=w.member)
    with db.unit_of_work(write=False) as s:
        lines = exchange.scaled_ingredients(s, w.public, member, rw.public_recipe, 12)
        assert lines[0].display == "2 kg pork shoulder, cubed"
        shop = exchange.shopping(
            s, w.public, member, [(rw.public_recipe, 12), (rw.community_recipe, 8)]
        )
        displays = [line.display for line in shop]
        assert "6 cloves garlic" in displays
        assert any(d.endswith("blue cornmeal") for d in displays)
        with pytest.raises(NotFound):
            exchange.shopping(s, w.public, ANONYMOUS, [(rw.community_recipe, 8)])


def test_cached_read_view_matches_the_tables(db: Database, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from sqlalchemy import update

    from commonpot.recipes.api import recipe_out

    rw = make_recipe_world(db)
    w = rw.world
    member = Viewer(user=w.member)
    with db.unit_of_work() as s:
        service.save_translation(
            s, w.public, member, rw.public_recipe, TranslationIn(language="en", name="Soup")
        )
        heritage.add_oral_history(
            s,
            w.public,
            member,
            rw.public_recipe,
            OralHistoryIn(
                narrator="Rosa",
                recorded_by="Lina",
                transcript="...",
                consent_by="Rosa",
                consent_scope="members",
                consent_on="2026-01-01",
            ),
            audio=ogg_opus_bytes(),
            data_dir=tmp_path,
            max_bytes=10**6,
        )
    with db.unit_of_work() as s:
        cached = recipe_out(service.recipe_view(s, w.public, member, rw.public_recipe), w.public)
        orm = recipe_out(service.get_recipe(s, w.public, member, rw.public_recipe), w.public)
        assert cached.model_dump() == orm.model_dump()
        assert len(cached.oral_histories) == 1
        assert cached.oral_histories[0].audio_url is not None
        assert cached.translations[0].name == "Soup"
        s.execute(update(Recipe).values(view_cache={}))  # rows written outside the service
    with db.unit_of_work(write=False) as s:
        fallback = recipe_out(service.recipe_view(s, w.public, member, rw.public_recipe), w.public)
        assert fallback.model_dump() == orm.model_dump()
        assert isinstance(
            service.recipe_view(s, w.public, member, rw.public_recipe), SimpleNamespace
        )


def test_recipe_view_sees_exactly_what_visible_recipes_sees(db: Database) -> None:
    rw = make_recipe_world(db)
    w = rw.world
    next_month = utcnow().month % 12 + 1
    with db.unit_of_work() as s:
        # out of season now: only its author (a plain member) and the keepers see it
        own = make_recipe(
            s,
            w.public,
            w.member,
            name="Next month's",
            season_start=next_month,
            season_end=next_month,
        ).id
    recipe_ids = [rw.public_recipe, rw.community_recipe, own]
    viewers = {
        "anonymous": ANONYMOUS,
        "author": Viewer(user=w.member),
        "custodian": Viewer(user=w.custodian),
        "outsider": Viewer(user=w.outsider),
    }
    seen: dict[str, set[int]] = {}
    for name, viewer in viewers.items():
        with db.unit_of_work(write=False) as s:
            listed = {r.id for r in s.scalars(service.visible_recipes(s, w.public, viewer))}
            shown: set[int] = set()
            for recipe_id in recipe_ids:
                with contextlib.suppress(NotFound):
                    shown.add(service.recipe_view(s, w.public, viewer, recipe_id).id)
            assert shown == listed & set(recipe_ids), name
            seen[name] = shown
    assert own in seen["author"] and own in seen["custodian"]
    assert own not in seen["anonymous"] and own not in seen["outsider"]
    assert rw.community_recipe not in seen["anonymous"]


def test_recipe_view_sees_what_its_session_has_not_written_yet(db: Database) -> None:
    """The view reads its row past the ORM (through the session's connection), yet sees the
    session's own unwritten changes, as any query of the session would (autoflush)."""
    rw = make_recipe_world(db)
    w = rw.world
    with db.unit_of_work() as s:
        recipe = s.get(Recipe, rw.public_recipe)
        assert recipe is not None
        recipe.name = "Renamed, not yet flushed"
        assert s.dirty
        view = service.recipe_view(s, w.public, ANONYMOUS, rw.public_recipe)
        assert view.name == "Renamed, not yet flushed"
        s.rollback()

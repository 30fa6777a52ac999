"""Finding recipes: search by words, ingredient, origin, tag, language; the variants tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.recipes.conversion import food_key
from commonpot.recipes.models import Recipe, RecipeIngredient, RecipeTag, RecipeTranslation
from commonpot.recipes.search import apply_text_search
from commonpot.recipes.service import (
    viewer_kind,
    visible_bound,
    visible_family,
    visible_recipes,
)
from commonpot.tenancy import select_scoped

# what lists and search results show; rows, not ORM objects, keep long lists cheap
SUMMARY_COLUMNS = (
    Recipe.id,
    Recipe.name,
    Recipe.description,
    Recipe.language,
    Recipe.cuisine,
    Recipe.origin_place,
    Recipe.reach,
    Recipe.labels,
    Recipe.photo_file,
)


@dataclass
class SearchQuery:
    """What a person searches for; every part is optional and they combine."""

    text: str = ""
    ingredient: str = ""
    origin: str = ""
    tag: str = ""
    language: str = ""
    limit: int = 50
    offset: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    cuisine: str = ""


def scoped_ids(model: Any, community_id: int) -> Select[tuple[int]]:
    """`SELECT recipe_id FROM model` within the community (for `Recipe.id.in_(...)`)."""
    return select_scoped(model, community_id).with_only_columns(model.recipe_id)


def search_recipes(
    session: Session, community: Community, viewer: Viewer, query: SearchQuery
) -> list[Row[Any]]:
    """Recipes the viewer may see that match the search (best first, then newest), as rows."""
    parts = (query.text, query.ingredient, query.origin, query.tag, query.cuisine, query.language)
    if not any(part.strip() for part in parts):  # the list itself: a statement built once
        kind, values = viewer_kind(session, community, viewer)
        values.update(limit=min(query.limit, 200), offset=query.offset)
        return list(session.execute(_newest(*kind), values))
    stmt: Select[*tuple[Any, ...]]
    stmt = visible_recipes(session, community, viewer).with_only_columns(*SUMMARY_COLUMNS)
    stmt = apply_text_search(session, stmt, query.text)
    if query.ingredient.strip():
        key = food_key(query.ingredient)
        stmt = stmt.where(
            Recipe.id.in_(
                scoped_ids(RecipeIngredient, community.id).where(
                    RecipeIngredient.food_key.like(f"%{key}%"),
                )
            )
        )
    if query.origin.strip():
        pattern = f"%{query.origin.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Recipe.origin_place).like(pattern),
                func.lower(Recipe.origin_region).like(pattern),
            )
        )
    if query.tag.strip():
        stmt = stmt.where(
            Recipe.id.in_(
                scoped_ids(RecipeTag, community.id).where(
                    RecipeTag.tag == query.tag.strip().lower(),
                )
            )
        )
    if query.cuisine.strip():
        stmt = stmt.where(func.lower(Recipe.cuisine) == query.cuisine.strip().lower())
    if query.language.strip():
        lang = query.language.strip().lower()  # tags are case-insensitive
        stmt = stmt.where(
            or_(
                func.lower(Recipe.language) == lang,
                Recipe.id.in_(
                    scoped_ids(RecipeTranslation, community.id).where(
                        func.lower(RecipeTranslation.language) == lang,
                    )
                ),
            )
        )
    stmt = stmt.order_by(Recipe.id.desc()).limit(min(query.limit, 200)).offset(query.offset)
    return list(session.execute(stmt))


@lru_cache(maxsize=64)
def _newest(member: bool, keeper: bool, has_user: bool, month: int) -> Any:
    """`search_recipes` without a search: the visible recipes, newest first, built once per
    viewer kind and month (bound: limit and offset too)."""
    return (
        visible_bound(member, keeper, has_user, month)
        .with_only_columns(*SUMMARY_COLUMNS)
        .order_by(Recipe.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


def tags_of(session: Session, community: Community, ids: list[int]) -> dict[int, list[str]]:
    """The tags of the listed recipes (already visible to the viewer), by recipe id."""
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for recipe_id, tag in session.execute(_TAGS_OF, {"community_id": community.id, "ids": ids}):
            out[recipe_id].append(tag)
    return out


# built once per process (every recipe list asks it); bound: the community and the recipes
_TAGS_OF = (
    select(RecipeTag.recipe_id, RecipeTag.tag)
    .where(
        RecipeTag.community_id == bindparam("community_id"),
        RecipeTag.recipe_id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(RecipeTag.tag, RecipeTag.recipe_id)
)


def facets(
    session: Session, community: Community, viewer: Viewer
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Tags and cuisines of the recipes the viewer may see, with how many recipes have each
    (one statement)."""
    kind, values = viewer_kind(session, community, viewer)
    tags: list[tuple[str, int]] = []
    cuisines: list[tuple[str, int]] = []
    for facet, name, count in session.execute(_facets(*kind), values):
        (tags if facet == 0 else cuisines).append((name, count))
    return tags, cuisines


@lru_cache(maxsize=64)
def _facets(member: bool, keeper: bool, has_user: bool, month: int) -> Any:
    """`facets`' statement, built once per viewer kind and month: rows (0, tag, count) by
    tag, then (1, cuisine, count) by cuisine."""
    visible = visible_bound(member, keeper, has_user, month)
    by_tag = (
        select(literal(0).label("facet"), RecipeTag.tag.label("name"), func.count().label("n"))
        .where(
            RecipeTag.community_id == bindparam("community_id"),
            RecipeTag.recipe_id.in_(visible.with_only_columns(Recipe.id)),
        )
        .group_by(RecipeTag.tag)
    )
    by_cuisine = (
        visible.with_only_columns(literal(1), Recipe.cuisine, func.count())
        .where(Recipe.cuisine != "")
        .group_by(Recipe.cuisine)
    )
    both = union_all(by_tag, by_cuisine).subquery("facets")
    return select(both.c.facet, both.c.name, both.c.n).order_by(both.c.facet, both.c.name)


def recipe_names(session: Session, community: Community, viewer: Viewer) -> list[Row[Any]]:
    """Every recipe the viewer may see, by name (to pick the recipe a variant comes from)."""
    stmt = visible_recipes(session, community, viewer).with_only_columns(Recipe.id, Recipe.name)
    return list(session.execute(stmt.order_by(Recipe.name, Recipe.id)))


@dataclass
class VariantNode:
    """A recipe in the family tree of variants."""

    id: int
    name: str
    children: list[VariantNode] = field(default_factory=list)


def variant_tree(
    session: Session, community: Community, viewer: Viewer, recipe_id: int
) -> VariantNode:
    """The family of variants around a recipe: from its oldest visible ancestor down.

    NotFound if the viewer may not see the recipe (the same rule as `get_recipe`). Reads
    only the family (two recursive queries through visible recipes), never the whole
    archive.
    """
    _, family = visible_family(session, community, viewer, recipe_id)
    names: dict[int, str] = {}
    children: dict[int, list[int]] = {}
    for row in family:
        if row.id in names:
            continue  # reached twice (a damaged chain): shown once
        names[row.id] = row.name
        if row.depth:
            children.setdefault(row.based_on_id, []).append(row.id)

    def build(node_id: int) -> VariantNode:
        kids = sorted(k for k in children.get(node_id, []) if k != node_id)
        return VariantNode(node_id, names[node_id], [build(k) for k in kids])

    return build(next(row.id for row in family if row.depth == 0))

"""Finding recipes: search by words, ingredient, origin, tag, language; the variants tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, func, or_
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.recipes.conversion import food_key
from commonpot.recipes.models import Recipe, RecipeIngredient, RecipeTag, RecipeTranslation
from commonpot.recipes.search import apply_text_search
from commonpot.recipes.service import visible_family, visible_recipes
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


def tags_of(session: Session, community: Community, ids: list[int]) -> dict[int, list[str]]:
    """The tags of the listed recipes (already visible to the viewer), by recipe id."""
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        stmt = select_scoped(RecipeTag, community.id).where(RecipeTag.recipe_id.in_(ids))
        for tag in session.scalars(stmt.order_by(RecipeTag.tag)):
            out[tag.recipe_id].append(tag.tag)
    return out


def facets(
    session: Session, community: Community, viewer: Viewer
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Tags and cuisines of the recipes the viewer may see, with how many recipes have each."""
    visible = visible_recipes(session, community, viewer).with_only_columns(Recipe.id)
    tag_rows = session.execute(
        select_scoped(RecipeTag, community.id)
        .with_only_columns(RecipeTag.tag, func.count())
        .where(RecipeTag.recipe_id.in_(visible))
        .group_by(RecipeTag.tag)
        .order_by(RecipeTag.tag)
    )
    cuisine_rows = session.execute(
        visible_recipes(session, community, viewer)
        .with_only_columns(Recipe.cuisine, func.count())
        .where(Recipe.cuisine != "")
        .group_by(Recipe.cuisine)
        .order_by(Recipe.cuisine)
    )
    return [(t, n) for t, n in tag_rows], [(c, n) for c, n in cuisine_rows]


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

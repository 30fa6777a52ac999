"""Recipes use cases: who may see which recipe (one helper), reading, searching and writing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from commonpot.accounts import Viewer
from commonpot.communities import Community, Membership, Role, membership, require_member
from commonpot.db import utcnow
from commonpot.errors import Forbidden, Invalid, NotFound
from commonpot.fields import canonical_language, same_language
from commonpot.recipes.conversion import food_key
from commonpot.recipes.durations import duration_seconds, normalise_duration
from commonpot.recipes.ingredients import parse_ingredient
from commonpot.recipes.models import (
    LineagePerson,
    Recipe,
    RecipeIngredient,
    RecipeReach,
    RecipeTag,
    RecipeTranslation,
)
from commonpot.recipes.protocols import Reach, label, reach
from commonpot.recipes.read_cache import refresh_view_cache, view_from_row
from commonpot.recipes.schemas import RecipeIn, SectionIn, TranslationIn
from commonpot.recipes.search import ensure_search_index, search_document
from commonpot.tenancy import select_scoped

# everything a recipe page, export or edit reads, loaded in one query per relationship
WHOLE_RECIPE = (
    selectinload(Recipe.ingredients),
    selectinload(Recipe.tags),
    selectinload(Recipe.lineage),
    selectinload(Recipe.oral_histories),
    selectinload(Recipe.translations),
)
KEEPERS = frozenset({Role.STEWARD.value, Role.CUSTODIAN.value})


@dataclass(frozen=True)
class Access:
    """What the viewer is to a community's recipes: a member, a keeper of protocols, or neither."""

    member: bool = False
    keeper: bool = False
    user_id: int | None = None


def access(session: Session, community: Community, viewer: Viewer) -> Access:
    """Work out the viewer's standing once per request."""
    return standing(membership(session, community, viewer), viewer)


def standing(found: Membership | None, viewer: Viewer) -> Access:
    """The viewer's standing from their membership, already looked up (a request's scope
    holds it: `Here.membership`)."""
    if found is None:
        return Access(user_id=viewer.user_id)
    return Access(member=True, keeper=found.role in KEEPERS, user_id=viewer.user_id)


@lru_cache(maxsize=12)
def _in_season(month: int) -> ColumnElement[bool]:
    # one immutable expression per month, built once per process: every read path uses it
    start, end = Recipe.season_start, Recipe.season_end
    return or_(
        start.is_(None),
        end.is_(None),
        and_(start <= end, start <= month, end >= month),
        and_(start > end, or_(start <= month, end >= month)),
    )


def _visibility(query: Select[Any], who: Access, user_id: Any, month: int) -> Select[Any]:
    """THE visibility rule's filters (see `visible_recipes`); `user_id` may be a bound param."""
    if not who.member:
        query = query.where(Recipe.reach == RecipeReach.PUBLIC.value)
    if not who.keeper:
        seasonal = _in_season(month)
        if who.member and who.user_id is not None:
            seasonal = or_(seasonal, Recipe.created_by_id == user_id)
        query = query.where(seasonal)
    return query


def visible_recipes(
    session: Session, community: Community, viewer: Viewer, *, today: date | None = None
) -> Select[Recipe]:
    """THE visibility rule, used by every read path: pages, search, API, exports, shopping.

    Outsiders (and instance admins who are not members) see only public-reach recipes;
    seasonal recipes appear only in their months, except to their author and the keepers.
    The caller must already have checked that the viewer may read the community.
    """
    who = access(session, community, viewer)
    month = (today or utcnow().date()).month
    return _visibility(select_scoped(Recipe, community.id), who, who.user_id, month)


@lru_cache(maxsize=64)
def visible_bound(member: bool, keeper: bool, has_user: bool, month: int) -> Select[Recipe]:
    """`visible_recipes` as a statement built once per viewer kind and month, for the hot
    reads' statements built once too (bound: `community_id` and `user_id`, the values
    `viewer_kind` gives): SQLAlchemy neither rebuilds them nor recomputes their cache keys
    per request."""
    who = Access(member=member, keeper=keeper, user_id=0 if has_user else None)
    community_id = cast(int, bindparam("community_id"))
    return _visibility(select_scoped(Recipe, community_id), who, bindparam("user_id"), month)


def viewer_kind(
    session: Session, community: Community, viewer: Viewer, who: Access | None = None
) -> tuple[tuple[bool, bool, bool, int], dict[str, Any]]:
    """The viewer's kind as `visible_bound` (and statements built on it) is keyed, and the
    values its parameters are bound to; `who`: their standing, when already known."""
    if who is None:
        who = access(session, community, viewer)
    kind = (who.member, who.keeper, who.user_id is not None, utcnow().month)
    return kind, {"community_id": community.id, "user_id": who.user_id}


@lru_cache(maxsize=64)
def _one_visible_row(member: bool, keeper: bool, has_user: bool, month: int) -> Select[Any]:
    """`visible_recipes(...).where(id == ...)` as columns, built once per viewer kind and
    month (bound: the recipe id too)."""
    return (
        visible_bound(member, keeper, has_user, month)
        .where(Recipe.id == bindparam("recipe_id"))
        .with_only_columns(*Recipe.__table__.c)
    )


FAMILY_DEPTH = 20  # generations of variants shown above and below a recipe


@lru_cache(maxsize=64)
def _family_statement(member: bool, keeper: bool, has_user: bool, month: int) -> Any:
    """The visible ancestors of a recipe and the visible descendants of its oldest visible
    ancestor, as one statement of two recursive queries, built once per viewer kind and
    month (bound: community, recipe and user ids).

    Each step goes through visible recipes only (THE visibility rule, as `visible_recipes`),
    so a hidden parent ends the line upward and a hidden variant, with what hangs from it,
    stays out; the depth bound keeps a damaged chain from looping. Rows: (side, id, name,
    based_on_id, depth), side 0 for an ancestor (the recipe itself at depth 0), 1 for a
    descendant (the oldest ancestor at depth 0).
    """

    def visible(*columns: Any) -> Select[Any]:
        return visible_bound(member, keeper, has_user, month).with_only_columns(*columns)

    def family(name: str, first: Any, step: Any) -> Any:
        start = visible(
            Recipe.id, Recipe.name, Recipe.based_on_id, literal(0).label("depth")
        ).where(Recipe.id == first)
        line = start.cte(name, recursive=True)
        more = visible(Recipe.id, Recipe.name, Recipe.based_on_id, line.c.depth + 1).where(
            step(line), line.c.depth < FAMILY_DEPTH
        )
        return line.union_all(more)

    up = family("ancestors", bindparam("recipe_id"), lambda line: Recipe.id == line.c.based_on_id)
    oldest = select(up.c.id).order_by(up.c.depth.desc()).limit(1).scalar_subquery()
    down = family("descendants", oldest, lambda line: Recipe.based_on_id == line.c.id)
    return union_all(
        select(literal(0).label("side"), up.c.id, up.c.name, up.c.based_on_id, up.c.depth),
        select(literal(1), down.c.id, down.c.name, down.c.based_on_id, down.c.depth),
    )


def visible_family(
    session: Session, community: Community, viewer: Viewer, recipe_id: int
) -> tuple[list[Any], list[Any]]:
    """The rows (id, name, based_on_id, depth) of a recipe's visible ancestors (itself at
    depth 0) and of its oldest visible ancestor's visible descendants (the ancestor at depth
    0): what the family tree of variants shows, read in one statement. NotFound when the
    recipe is hidden."""
    kind, values = viewer_kind(session, community, viewer)
    rows = list(session.execute(_family_statement(*kind), {**values, "recipe_id": recipe_id}))
    ancestors = [row for row in rows if row.side == 0]
    if not ancestors:
        raise NotFound("No recipe %(id)s here.", id=str(recipe_id))
    return ancestors, [row for row in rows if row.side == 1]


class Recent(NamedTuple):
    """A recipe as the community's home page lists it."""

    id: int
    name: str
    cuisine: str | None


def recent_recipes(
    session: Session, community: Community, viewer: Viewer, *, limit: int = 5
) -> list[Recent]:
    """The recipes added last that the viewer may see (for the community home page), as
    plain rows: the same rule as `visible_recipes`, in a statement built once per viewer
    kind."""
    kind, values = viewer_kind(session, community, viewer)
    found = session.execute(_recent(*kind), {**values, "limit": limit})
    return [Recent(*row) for row in found]


@lru_cache(maxsize=64)
def _recent(member: bool, keeper: bool, has_user: bool, month: int) -> Any:
    """`recent_recipes`' statement, per viewer kind and month (bound: the limit too)."""
    return (
        visible_bound(member, keeper, has_user, month)
        .with_only_columns(Recipe.id, Recipe.name, Recipe.cuisine)
        .order_by(Recipe.created_at.desc(), Recipe.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def get_recipe(session: Session, community: Community, viewer: Viewer, recipe_id: int) -> Recipe:
    """One recipe the viewer may see, else NotFound (hidden recipes do not exist for them)."""
    stmt = visible_recipes(session, community, viewer).where(Recipe.id == recipe_id)
    found = session.scalar(stmt.options(*WHOLE_RECIPE))
    if found is None:
        raise NotFound("No recipe %(id)s here.", id=str(recipe_id))
    return found


def recipe_view(
    session: Session,
    community: Community,
    viewer: Viewer,
    recipe_id: int,
    who: Access | None = None,
) -> Any:
    """A read-only view of one visible recipe from its cached row (same rule as `get_recipe`).

    Used by the hot read paths (recipe JSON, JSON-LD export), where building ORM objects
    for every ingredient line costs more than the query itself. `who`: the viewer's
    standing when the caller already knows it (`standing`), else it is looked up.
    """
    kind, values = viewer_kind(session, community, viewer, who)
    stmt, values = _one_visible_row(*kind), {**values, "recipe_id": recipe_id}
    # through the session's connection: a plain row needs none of the ORM's execution
    # machinery (the session's own `execute` costs twice as much here, ~55 us a request);
    # what the session holds unwritten is flushed first, as its `execute` would (at once
    # when nothing is)
    session.flush()
    row = session.connection().execute(stmt, values).first()
    if row is None:
        raise NotFound("No recipe %(id)s here.", id=str(recipe_id))
    return view_from_row(session, row)


# --- writing ---------------------------------------------------------------------------------


def may_edit(who: Access, recipe: Recipe) -> bool:
    """Authors and the community's keepers (stewards, custodians) may edit a recipe."""
    return who.keeper or (who.member and recipe.created_by_id == who.user_id)


def may_delete(who: Access, recipe: Recipe) -> bool:
    """Who may delete a recipe: the same people who may edit it."""
    return may_edit(who, recipe)


def sections_json(sections: list[SectionIn]) -> list[dict[str, Any]]:
    """Steps as stored: sections with a name (or none) and non-empty step texts."""
    out = []
    for section in sections:
        steps = [s.strip() for s in section.steps if s.strip()]
        if steps:
            out.append({"name": (section.name or "").strip() or None, "steps": steps})
    return out


def _duration(value: str | None, field_name: str) -> str | None:
    if value is None or not value.strip():
        return None
    if duration_seconds(value) is None:
        raise Invalid(
            "'%(value)s' is not a time; write e.g. 'PT1H30M' or '1 hour 30 minutes'",
            field=field_name,
            value=value,
        )
    return normalise_duration(value)


def _check_protocol(data: RecipeIn, who: Access, current: Recipe | None) -> str:
    codes = [label(c).code for c in data.labels]
    before = list(current.labels) if current else []
    if codes != before and not who.keeper:
        raise Forbidden("Only a custodian or steward of this community can set protocol labels.")
    requested = Reach.COMMUNITY if data.reach == "community" else Reach.PUBLIC
    result = reach(codes, requested)
    opening = current is not None and current.reach == "community" and result is Reach.PUBLIC
    if opening and not who.keeper:
        raise Forbidden("Only a custodian or steward can open a community-only recipe.")
    data.labels = codes
    if (data.season_start is None) != (data.season_end is None):
        raise Invalid(
            "Give both the first and last month of the season, or neither.", field="season_start"
        )
    return result.value


def _fill(session: Session, recipe: Recipe, data: RecipeIn, community: Community) -> None:
    recipe.name = data.name.strip()
    recipe.description = data.description.strip()
    recipe.language = data.language
    recipe.steps = sections_json(data.sections)
    recipe.recipe_yield = data.recipe_yield.strip()
    recipe.servings = data.servings
    recipe.prep_time = _duration(data.prep_time, "prep_time")
    recipe.cook_time = _duration(data.cook_time, "cook_time")
    recipe.total_time = _duration(data.total_time, "total_time")
    for attr in ("cuisine", "origin_place", "origin_region", "storytellers", "story"):
        setattr(recipe, attr, getattr(data, attr).strip())
    recipe.credit_text = data.credit_text.strip()
    recipe.image_url = data.image_url or None
    recipe.source_url = data.source_url or None
    recipe.labels = list(data.labels)
    recipe.season_start, recipe.season_end = data.season_start, data.season_end
    recipe.ingredients = [
        _ingredient(community.id, i, line)
        for i, line in enumerate(data.ingredients)
        if line.strip()
    ]
    tags = sorted({t.strip().lower()[:60] for t in data.tags if t.strip()})
    # keep rows for tags that stay: the unique (community, recipe, tag) forbids re-inserting
    kept = [t for t in recipe.tags if t.tag in tags]
    have = {t.tag for t in kept}
    recipe.tags = kept + [
        RecipeTag(community_id=community.id, tag=t) for t in tags if t not in have
    ]
    recipe.lineage = [
        LineagePerson(community_id=community.id, position=i, **p.model_dump())
        for i, p in enumerate(data.lineage)
    ]
    recipe.updated_at = utcnow()
    refresh_search_text(recipe)


def _ingredient(community_id: int, position: int, line: str) -> RecipeIngredient:
    parsed = parse_ingredient(line.strip())
    return RecipeIngredient(
        community_id=community_id,
        position=position,
        line=line.strip()[:500],
        quantity=_fraction_text(parsed.quantity),
        quantity_max=_fraction_text(parsed.quantity_max),
        unit=parsed.unit,
        food=parsed.food[:300],
        food_key=food_key(parsed.food)[:300],
        note=parsed.note[:300] if parsed.note else None,
    )


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def refresh_search_text(recipe: Recipe) -> None:
    """Recompute the text full-text search indexes for a recipe."""
    recipe.search_text = search_document(
        [recipe.name, recipe.description, recipe.cuisine, recipe.origin_place, recipe.origin_region]
        + [recipe.storytellers, recipe.story]
        + [i.line for i in recipe.ingredients]
        + [t.tag for t in recipe.tags]
        + [p.name for p in recipe.lineage]
        + [f"{t.name} {' '.join(t.ingredients)} {t.story}" for t in recipe.translations]
    )


def _based_on(
    session: Session, community: Community, viewer: Viewer, recipe_id: int | None
) -> int | None:
    if recipe_id is None:
        return None
    try:
        return get_recipe(session, community, viewer, recipe_id).id
    except NotFound:
        raise Invalid(
            "No recipe %(id)s to base this one on.", field="based_on_id", id=str(recipe_id)
        ) from None


def create_recipe(session: Session, community: Community, viewer: Viewer, data: RecipeIn) -> Recipe:
    """Store a new recipe (members, or the operator importing at the command line)."""
    if not viewer.operator:
        require_member(session, community, viewer)
    who = access(session, community, viewer)
    ensure_search_index(session)
    recipe = Recipe(community_id=community.id, created_by_id=viewer.user_id)
    recipe.reach = _check_protocol(data, who, None)
    recipe.based_on_id = _based_on(session, community, viewer, data.based_on_id)
    _fill(session, recipe, data, community)
    session.add(recipe)
    refresh_view_cache(session, recipe)
    session.flush()
    return recipe


def update_recipe(
    session: Session, community: Community, viewer: Viewer, recipe_id: int, data: RecipeIn
) -> Recipe:
    """Replace a recipe's content (its author, stewards and custodians)."""
    require_member(session, community, viewer)
    recipe = get_recipe(session, community, viewer, recipe_id)
    who = access(session, community, viewer)
    if not may_edit(who, recipe):
        raise Forbidden("Only the recipe's author, a steward or a custodian can change it.")
    ensure_search_index(session)
    recipe.reach = _check_protocol(data, who, recipe)
    if data.based_on_id == recipe.id:
        raise Invalid("A recipe cannot be a variant of itself.", field="based_on_id")
    recipe.based_on_id = _based_on(session, community, viewer, data.based_on_id)
    _fill(session, recipe, data, community)
    refresh_view_cache(session, recipe)
    session.flush()
    return recipe


def delete_recipe(session: Session, community: Community, viewer: Viewer, recipe_id: int) -> None:
    """Remove a recipe (its author, stewards and custodians); variants keep their text."""
    require_member(session, community, viewer)
    recipe = get_recipe(session, community, viewer, recipe_id)
    if not may_delete(access(session, community, viewer), recipe):
        raise Forbidden("Only the recipe's author, a steward or a custodian can delete it.")
    session.delete(recipe)
    session.flush()


def save_translation(
    session: Session, community: Community, viewer: Viewer, recipe_id: int, data: TranslationIn
) -> RecipeTranslation:
    """Add the recipe in one more language (members); replacing one is for its editors."""
    require_member(session, community, viewer)
    recipe = get_recipe(session, community, viewer, recipe_id)
    language = canonical_language(data.language)  # one language, one spelling ("EN" is "en")
    if same_language(language, recipe.language):
        raise Invalid(
            "That is the recipe's own language; edit the recipe instead.", field="language"
        )
    found = next((t for t in recipe.translations if same_language(t.language, language)), None)
    if found is not None and not may_edit(access(session, community, viewer), recipe):
        raise Forbidden(
            "This recipe already has that translation; only the recipe's author, a steward "
            "or a custodian can replace it.",
            field="language",
        )
    if found is None:
        found = RecipeTranslation(community_id=community.id, language=language)
        recipe.translations.append(found)
    found.name = data.name.strip()
    found.description = data.description.strip()
    found.ingredients = [i.strip() for i in data.ingredients if i.strip()]
    found.steps = sections_json(data.sections)
    found.story = data.story.strip()
    found.translated_by = data.translated_by.strip()
    refresh_search_text(recipe)
    refresh_view_cache(session, recipe)
    session.flush()
    return found

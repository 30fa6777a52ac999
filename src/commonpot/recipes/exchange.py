"""Recipes in and out: import from pages and files, JSON-LD export, scaling, shopping lists."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community, require_member
from commonpot.errors import Invalid
from commonpot.fields import is_web_url
from commonpot.recipes.archives import is_archive, recipes_from_archive
from commonpot.recipes.data import RecipeData, Section
from commonpot.recipes.fetch import Resolver, fetch_page
from commonpot.recipes.heritage import recipe_data
from commonpot.recipes.ingredients import ParsedIngredient
from commonpot.recipes.jsonld import extract_recipes, to_jsonld
from commonpot.recipes.models import Recipe
from commonpot.recipes.scaling import (
    ScalableRecipe,
    ScaledIngredient,
    scale_recipe,
    servings_from_yield,
)
from commonpot.recipes.schemas import RecipeIn, SectionIn
from commonpot.recipes.service import create_recipe, get_recipe, recipe_view
from commonpot.recipes.shopping import ShoppingLine, shopping_list
from commonpot.words import ENGLISH, Words

MAX_IMPORT = 50


def _web(url: str, limit: int) -> bool:
    return len(url) <= limit and is_web_url(url)


def recipe_in_from(data: RecipeData, source_url: str | None = None) -> RecipeIn:
    """Map an extracted schema.org recipe onto what the archive stores (bounded, validated)."""
    sections: list[SectionIn] = []
    loose: list[str] = []
    for item in data.instructions:
        if isinstance(item, Section):
            sections.append(SectionIn(name=item.name, steps=[s.text[:5000] for s in item.steps]))
        else:
            loose.append(item.text[:5000])
    if loose:
        sections.insert(0, SectionIn(name=None, steps=loose))
    servings = servings_from_yield(data.recipe_yield)
    heritage = data.heritage
    try:
        return RecipeIn(
            name=data.name[:200],
            description=(data.description or "")[:5000],
            language=(data.in_language or "en")[:35],
            ingredients=[line[:500] for line in data.ingredients][:200],
            sections=sections[:50],
            recipe_yield=(data.recipe_yield or "")[:100],
            servings=int(servings)
            if servings and servings.denominator == 1 and servings <= 10000
            else None,
            prep_time=data.prep_time,
            cook_time=data.cook_time,
            total_time=data.total_time,
            cuisine=(data.cuisine or "")[:100],
            tags=[t.strip()[:60] for t in (data.keywords or "").split(",") if t.strip()][:30],
            # links found inside an imported page are kept only when they are http(s)
            image_url=data.image if data.image and _web(data.image, 500) else None,
            source_url=source_url or (data.url if data.url and _web(data.url, 500) else None),
            storytellers=", ".join(data.authors)[:300],
            credit_text=((heritage.credit_text if heritage else None) or "")[:300],
        )
    except ValueError as exc:
        raise Invalid(
            "The recipe '%(name)s' cannot be stored: %(problem)s",
            name=data.name[:60],
            problem=str(exc),
        ) from exc


def import_content(
    session: Session,
    community: Community,
    viewer: Viewer,
    content: bytes | str,
    *,
    source_url: str | None = None,
) -> list[Recipe]:
    """Store every recipe found in a page or JSON-LD file (members); nothing is stored on error."""
    if not viewer.operator:
        require_member(session, community, viewer)
    if source_url is not None and not is_web_url(source_url):
        raise Invalid("The source address must start with http:// or https://.", field="source_url")
    if is_archive(content):
        assert isinstance(content, bytes)
        found = recipes_from_archive(content)
    else:
        found = extract_recipes(content, base_url=source_url)
    if not found:
        raise Invalid("No schema.org Recipe found in the page (neither JSON-LD nor microdata).")
    if len(found) > MAX_IMPORT:
        raise Invalid(
            "The file holds %(num)s recipes; import at most %(limit)s at once.",
            num=len(found),
            limit=MAX_IMPORT,
        )
    return [create_recipe(session, community, viewer, recipe_in_from(r, source_url)) for r in found]


def import_url(
    session: Session,
    community: Community,
    viewer: Viewer,
    url: str,
    *,
    resolver: Resolver | None = None,
) -> list[Recipe]:
    """Fetch a public page (never an internal address) and import its recipes."""
    require_member(session, community, viewer)
    content, final_url = fetch_page(url, resolver) if resolver else fetch_page(url)
    return import_content(session, community, viewer, content, source_url=final_url)


def export_jsonld(
    session: Session,
    community: Community,
    viewer: Viewer,
    recipe_id: int,
    url: str | None = None,
    words: Words = ENGLISH,
) -> dict[str, Any]:
    """A recipe the viewer may see, as schema.org JSON-LD with heritage and protocol.

    Its conditions of access are in the reader's `words` (English for files).
    """
    recipe = recipe_view(session, community, viewer, recipe_id)
    return to_jsonld(recipe_data(recipe, community, url, words))


def parsed_lines(recipe: Recipe) -> tuple[ParsedIngredient, ...]:
    """The stored parse of a recipe's ingredient lines (no re-parsing)."""
    return tuple(
        ParsedIngredient(
            original=i.line,
            quantity=Fraction(i.quantity) if i.quantity else None,
            quantity_max=Fraction(i.quantity_max) if i.quantity_max else None,
            unit=i.unit,
            food=i.food,
            note=i.note,
        )
        for i in recipe.ingredients
    )


def base_servings(recipe: Recipe) -> Fraction:
    """How many the recipe serves as written (servings, else its yield, else 4)."""
    if recipe.servings:
        return Fraction(recipe.servings)
    return servings_from_yield(recipe.recipe_yield) or Fraction(4)


def scalable(recipe: Recipe) -> ScalableRecipe:
    """The recipe as the scaling engine takes it."""
    return ScalableRecipe(base_servings(recipe), parsed_lines(recipe), recipe.name)


def scaled_ingredients(
    session: Session, community: Community, viewer: Viewer, recipe_id: int, servings: int
) -> list[ScaledIngredient]:
    """A visible recipe's ingredients scaled to `servings`."""
    recipe = get_recipe(session, community, viewer, recipe_id)
    return scale_recipe(scalable(recipe), servings)


def shopping(
    session: Session, community: Community, viewer: Viewer, items: list[tuple[int, int]]
) -> list[ShoppingLine]:
    """One shopping list for several visible recipes and head counts."""
    if not items:
        raise Invalid("Choose at least one recipe to shop for.", field="items")
    plan = [(scalable(get_recipe(session, community, viewer, rid)), n) for rid, n in items]
    return shopping_list(plan)

"""Recipes JSON API: the archive, search, JSON-LD export, scaling and shopping lists.

Stories, photos and recordings are in `api_heritage`, imports in `api_exchange`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter

from commonpot.communities import Community
from commonpot.communities.scope import CommunityScope, Here, shared_read
from commonpot.errors import Invalid
from commonpot.http import api_router_for, own_address
from commonpot.params import Id, Offset
from commonpot.recipes import api_exchange, api_heritage, browse, exchange, heritage, service
from commonpot.recipes.browse import SearchQuery, VariantNode
from commonpot.recipes.conversion import convert
from commonpot.recipes.ingredients import parse_ingredient
from commonpot.recipes.listening import audible
from commonpot.recipes.models import Recipe
from commonpot.recipes.scaling import format_amount, round_for_display
from commonpot.recipes.schemas import (
    ConversionOut,
    OralHistoryOut,
    RecipeIn,
    RecipeOut,
    RecipeSummary,
    ScaledLineOut,
    ScaledOut,
    ShoppingIn,
    ShoppingLineOut,
    TranslationIn,
    TranslationOut,
    VariantNodeOut,
)
from commonpot.recipes.units import lookup_unit
from commonpot.templating import reader
from commonpot.words import ENGLISH, Words

router = api_router_for("recipes")
router.include_router(api_heritage.router)
router.include_router(api_exchange.router)
BASE = "/communities/{slug}/recipes"


def recipe_url(request: Request, community: Community, recipe_id: Id) -> str:
    """The recipe's public page address (used as its JSON-LD `url`)."""
    return f"{own_address(request)}/communities/{community.slug}/recipes/{recipe_id}"


# an oral history's own fields in the API view (its audio link is worked out here)
_HISTORY_FIELDS = tuple(name for name in OralHistoryOut.model_fields if name != "audio_url")


def recipe_out(
    recipe: Recipe,
    community: Community,
    audible_ids: set[int] | None = None,
    words: Words = ENGLISH,
) -> RecipeOut:
    """The API view of a whole recipe, with its notices and label details; `audible_ids`
    (the recordings the viewer may hear) gives audio links, all recordings when None.

    Validated in one pass, child rows read from their attributes (one validation per
    child row cost more than the rest of the view).
    """
    audio_base = f"/api/communities/{community.slug}/recipes/{recipe.id}/oral-histories"
    histories = [
        {
            **{name: getattr(h, name) for name in _HISTORY_FIELDS},
            "audio_url": f"{audio_base}/{h.id}/audio"
            if h.audio_file and (audible_ids is None or h.id in audible_ids)
            else None,
        }
        for h in recipe.oral_histories
    ]
    return RecipeOut.model_validate(
        {
            "id": recipe.id,
            "name": recipe.name,
            "description": recipe.description,
            "language": recipe.language,
            "cuisine": recipe.cuisine,
            "origin_place": recipe.origin_place,
            "reach": recipe.reach,
            "labels": list(recipe.labels),
            "recipe_yield": recipe.recipe_yield,
            "servings": recipe.servings,
            "prep_time": recipe.prep_time,
            "cook_time": recipe.cook_time,
            "total_time": recipe.total_time,
            "image_url": (
                f"/communities/{community.slug}/recipes/{recipe.id}/photo"
                if recipe.photo_file
                else recipe.image_url
            ),
            "source_url": recipe.source_url,
            "origin_region": recipe.origin_region,
            "storytellers": recipe.storytellers,
            "story": recipe.story,
            "credit_text": recipe.credit_text,
            "based_on_id": recipe.based_on_id,
            "season_start": recipe.season_start,
            "season_end": recipe.season_end,
            "steps": list(recipe.steps),
            "tags": [t.tag for t in recipe.tags],
            "ingredients": list(recipe.ingredients),
            "lineage": list(recipe.lineage),
            "oral_histories": histories,
            "translations": list(recipe.translations),
            "label_details": heritage.label_details(recipe),
            "notices": heritage.notices(recipe, community, words),
            "created_at": recipe.created_at,
            "updated_at": recipe.updated_at,
        },
        from_attributes=True,
    )


@router.get(BASE, response_model=list[RecipeSummary])
async def list_recipes(
    request: Request,
    slug: str,
    q: Annotated[str, Query(max_length=200)] = "",
    ingredient: Annotated[str, Query(max_length=100)] = "",
    origin: Annotated[str, Query(max_length=100)] = "",
    tag: Annotated[str, Query(max_length=60)] = "",
    language: Annotated[str, Query(max_length=35)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> Response:
    """Recipes you may see, searched by words, ingredient, origin, tag or language. The
    whole list read by someone not signed in (no search) is shared while the database is
    unchanged (`commonpot.shared_answers`)."""
    query = SearchQuery(q, ingredient, origin, tag, language, limit, offset)

    def answer(here: Here) -> Response:
        found = browse.search_recipes(here.session, here.community, here.viewer, query)
        out = [RecipeSummary.model_validate(r) for r in found]
        return Response(_SUMMARIES.dump_json(out), media_type="application/json")

    return await shared_read(request, slug, answer)


_SUMMARIES = TypeAdapter(list[RecipeSummary])


def _audible(here: Here, recipe: Recipe) -> set[int]:
    """The recipe's recordings this viewer may hear (the teller's consent, via the gates)."""
    ids = [h.id for h in recipe.oral_histories if h.audio_file]
    return audible(here.session, here.community, here.viewer, ids)


@router.post(BASE, response_model=RecipeOut, status_code=201)
def create_recipe(body: RecipeIn, here: CommunityScope) -> RecipeOut:
    """Add a recipe (members); protocol labels need a custodian or steward."""
    recipe = service.create_recipe(here.session, here.community, here.viewer, body)
    found = service.get_recipe(here.session, here.community, here.viewer, recipe.id)
    return recipe_out(found, here.community, _audible(here, found))


@router.get(BASE + "/{recipe_id}", response_model=RecipeOut)
async def get_recipe(request: Request, slug: str, recipe_id: Id) -> Response:
    """One recipe with its heritage, protocol labels and the notices to show with it (notices
    in your language). Read by someone not signed in, the answer is shared: kept while the
    database is unchanged (`commonpot.shared_answers`)."""

    def answer(here: Here) -> Response:
        who = service.standing(here.membership, here.viewer)
        recipe = service.recipe_view(here.session, here.community, here.viewer, recipe_id, who)
        out = recipe_out(recipe, here.community, _audible(here, recipe), reader(request))
        # serialised here, in the worker thread, as FastAPI would for `response_model`
        return Response(out.model_dump_json(), media_type="application/json")

    return await shared_read(request, slug, answer)


@router.put(BASE + "/{recipe_id}", response_model=RecipeOut)
def update_recipe(recipe_id: Id, body: RecipeIn, here: CommunityScope) -> RecipeOut:
    """Replace a recipe's content (its author, stewards and custodians)."""
    service.update_recipe(here.session, here.community, here.viewer, recipe_id, body)
    found = service.get_recipe(here.session, here.community, here.viewer, recipe_id)
    return recipe_out(found, here.community, _audible(here, found))


@router.delete(BASE + "/{recipe_id}", status_code=204)
def delete_recipe(recipe_id: Id, here: CommunityScope) -> None:
    """Delete a recipe (its author, stewards and custodians)."""
    service.delete_recipe(here.session, here.community, here.viewer, recipe_id)


@router.get(BASE + "/{recipe_id}/jsonld")
def recipe_jsonld(recipe_id: Id, request: Request, here: CommunityScope) -> Response:
    """The recipe as schema.org JSON-LD with heritage metadata and protocol labels."""
    url = recipe_url(request, here.community, recipe_id)
    words = reader(request)
    doc = exchange.export_jsonld(here.session, here.community, here.viewer, recipe_id, url, words)
    return JSONResponse(doc, media_type="application/ld+json")


@router.get(BASE + "/{recipe_id}/scaled", response_model=ScaledOut)
def scaled(
    recipe_id: Id, here: CommunityScope, servings: Annotated[int, Query(ge=1, le=10000)]
) -> ScaledOut:
    """The recipe's ingredients for a number of servings, in tidy units."""
    lines = exchange.scaled_ingredients(
        here.session, here.community, here.viewer, recipe_id, servings
    )
    return ScaledOut(
        recipe_id=recipe_id,
        servings=servings,
        ingredients=[
            ScaledLineOut(
                line=s.display,
                quantity=_text(s.quantity),
                quantity_max=_text(s.quantity_max),
                unit=s.unit,
                food=s.source.food,
            )
            for s in lines
        ],
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _node(node: VariantNode) -> VariantNodeOut:
    return VariantNodeOut(id=node.id, name=node.name, children=[_node(c) for c in node.children])


@router.get(BASE + "/{recipe_id}/variants", response_model=VariantNodeOut)
def variants(recipe_id: Id, here: CommunityScope) -> VariantNodeOut:
    """The family tree of variants the recipe belongs to (only recipes you may see)."""
    return _node(browse.variant_tree(here.session, here.community, here.viewer, recipe_id))


@router.post(BASE + "/{recipe_id}/translations", response_model=TranslationOut, status_code=201)
def save_translation(recipe_id: Id, body: TranslationIn, here: CommunityScope) -> TranslationOut:
    """Add or replace the recipe in another language (members)."""
    found = service.save_translation(here.session, here.community, here.viewer, recipe_id, body)
    return TranslationOut.model_validate(found)


@router.get("/recipes/convert", response_model=ConversionOut)
def convert_amount(
    amount: Annotated[str, Query(max_length=32, description="e.g. 1.5, 1 1/2, ½")],
    unit: Annotated[str, Query(alias="from", max_length=32, description="e.g. cup, tbsp, g")],
    to: Annotated[str, Query(max_length=32)],
    food: Annotated[str, Query(max_length=100)] = "",
) -> ConversionOut:
    """Convert a cooking amount; weight <-> volume needs a food with a known density."""
    parsed = parse_ingredient(f"{amount} {unit} x")
    source, target = lookup_unit(unit), lookup_unit(to)
    if parsed.quantity is None:
        raise Invalid("'%(amount)s' is not an amount.", field="amount", amount=amount)
    if source is None:
        raise Invalid("'%(unit)s' is not a unit we know.", field="from", unit=unit)
    if target is None:
        raise Invalid("'%(unit)s' is not a unit we know.", field="to", unit=to)
    value = convert(parsed.quantity, source, target, food or None)
    shown = round_for_display(value, target)
    return ConversionOut(amount=str(value), unit=target, display=format_amount(shown, None, target))


@router.post("/communities/{slug}/shopping-list", response_model=list[ShoppingLineOut])
def shopping_list(body: ShoppingIn, here: CommunityScope) -> list[ShoppingLineOut]:
    """One shopping list for several recipes and head counts, the same food merged."""
    items = [(i.recipe_id, i.servings) for i in body.items]
    lines = exchange.shopping(here.session, here.community, here.viewer, items)
    return [
        ShoppingLineOut(
            food=line.food,
            quantity=_text(line.quantity),
            quantity_max=_text(line.quantity_max),
            unit=line.unit,
            display=line.display,
            note=line.note,
            recipes=list(line.recipes),
        )
        for line in lines
    ]

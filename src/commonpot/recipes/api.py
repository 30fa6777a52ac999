"""Recipes JSON API: the archive, heritage, search, import/export, scaling and shopping lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Security, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from commonpot.communities.models import Community
from commonpot.communities.service import readable_community
from commonpot.errors import Invalid, PayloadTooLarge
from commonpot.http import bearer_scheme, unit_of_work
from commonpot.params import Id, Offset
from commonpot.recipes import browse, exchange, heritage, service
from commonpot.recipes.browse import SearchQuery, VariantNode
from commonpot.recipes.conversion import convert
from commonpot.recipes.ingredients import parse_ingredient
from commonpot.recipes.models import Recipe
from commonpot.recipes.scaling import format_amount, round_for_display
from commonpot.recipes.schemas import (
    ConversionOut,
    ImportHtmlIn,
    ImportUrlIn,
    IngredientOut,
    LabelOut,
    LineageOut,
    OralHistoryIn,
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

router = APIRouter(prefix="/api", tags=["recipes"], dependencies=[Security(bearer_scheme)])
BASE = "/communities/{slug}/recipes"


def recipe_url(request: Request, community: Community, recipe_id: Id) -> str:
    """The recipe's public page address (used as its JSON-LD `url`)."""
    base = request.app.state.settings.base_url or str(request.base_url).rstrip("/")
    return f"{base.rstrip('/')}/communities/{community.slug}/recipes/{recipe_id}"


def recipe_out(recipe: Recipe, community: Community) -> RecipeOut:
    """The API view of a whole recipe, with its notices and label details."""
    audio_base = f"/api/communities/{community.slug}/recipes/{recipe.id}/oral-histories"
    return RecipeOut(
        id=recipe.id,
        name=recipe.name,
        description=recipe.description,
        language=recipe.language,
        cuisine=recipe.cuisine,
        origin_place=recipe.origin_place,
        reach=recipe.reach,
        labels=list(recipe.labels),
        recipe_yield=recipe.recipe_yield,
        servings=recipe.servings,
        prep_time=recipe.prep_time,
        cook_time=recipe.cook_time,
        total_time=recipe.total_time,
        image_url=(
            f"/communities/{community.slug}/recipes/{recipe.id}/photo"
            if recipe.photo_file
            else recipe.image_url
        ),
        source_url=recipe.source_url,
        origin_region=recipe.origin_region,
        storytellers=recipe.storytellers,
        story=recipe.story,
        credit_text=recipe.credit_text,
        based_on_id=recipe.based_on_id,
        season_start=recipe.season_start,
        season_end=recipe.season_end,
        steps=list(recipe.steps),
        tags=[t.tag for t in recipe.tags],
        ingredients=[IngredientOut.model_validate(i) for i in recipe.ingredients],
        lineage=[LineageOut.model_validate(p) for p in recipe.lineage],
        oral_histories=[
            OralHistoryOut.model_validate(h).model_copy(
                update={"audio_url": f"{audio_base}/{h.id}/audio" if h.audio_file else None}
            )
            for h in recipe.oral_histories
        ],
        translations=[TranslationOut.model_validate(t) for t in recipe.translations],
        label_details=[LabelOut(**d) for d in heritage.label_details(recipe)],
        notices=heritage.notices(recipe, community),
        created_at=recipe.created_at,
        updated_at=recipe.updated_at,
    )


@router.get(BASE, response_model=list[RecipeSummary])
def list_recipes(
    slug: str,
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    ingredient: Annotated[str, Query(max_length=100)] = "",
    origin: Annotated[str, Query(max_length=100)] = "",
    tag: Annotated[str, Query(max_length=60)] = "",
    language: Annotated[str, Query(max_length=35)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[RecipeSummary]:
    """Recipes you may see, searched by words, ingredient, origin, tag or language."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        query = SearchQuery(q, ingredient, origin, tag, language, limit, offset)
        found = browse.search_recipes(ctx.session, community, ctx.viewer, query)
        return [RecipeSummary.model_validate(r) for r in found]


@router.post(BASE, response_model=RecipeOut, status_code=201)
def create_recipe(slug: str, body: RecipeIn, request: Request) -> RecipeOut:
    """Add a recipe (members); protocol labels need a custodian or steward."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        recipe = service.create_recipe(ctx.session, community, ctx.viewer, body)
        found = service.get_recipe(ctx.session, community, ctx.viewer, recipe.id)
        return recipe_out(found, community)


@router.get(BASE + "/{recipe_id}", response_model=RecipeOut)
def get_recipe(slug: str, recipe_id: Id, request: Request) -> RecipeOut:
    """One recipe with its heritage, protocol labels and the notices to show with it."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        recipe = service.recipe_view(ctx.session, community, ctx.viewer, recipe_id)
        return recipe_out(recipe, community)


@router.put(BASE + "/{recipe_id}", response_model=RecipeOut)
def update_recipe(slug: str, recipe_id: Id, body: RecipeIn, request: Request) -> RecipeOut:
    """Replace a recipe's content (its author, stewards and custodians)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        service.update_recipe(ctx.session, community, ctx.viewer, recipe_id, body)
        return recipe_out(
            service.get_recipe(ctx.session, community, ctx.viewer, recipe_id), community
        )


@router.delete(BASE + "/{recipe_id}", status_code=204)
def delete_recipe(slug: str, recipe_id: Id, request: Request) -> None:
    """Delete a recipe (its author, stewards and custodians)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        service.delete_recipe(ctx.session, community, ctx.viewer, recipe_id)


@router.get(BASE + "/{recipe_id}/jsonld")
def recipe_jsonld(slug: str, recipe_id: Id, request: Request) -> Response:
    """The recipe as schema.org JSON-LD with heritage metadata and protocol labels."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        url = recipe_url(request, community, recipe_id)
        doc = exchange.export_jsonld(ctx.session, community, ctx.viewer, recipe_id, url)
    return JSONResponse(doc, media_type="application/ld+json")


@router.get(BASE + "/{recipe_id}/scaled", response_model=ScaledOut)
def scaled(
    slug: str, recipe_id: Id, request: Request, servings: Annotated[int, Query(ge=1, le=10000)]
) -> ScaledOut:
    """The recipe's ingredients for a number of servings, in tidy units."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        lines = exchange.scaled_ingredients(ctx.session, community, ctx.viewer, recipe_id, servings)
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
def variants(slug: str, recipe_id: Id, request: Request) -> VariantNodeOut:
    """The family tree of variants the recipe belongs to (only recipes you may see)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        return _node(browse.variant_tree(ctx.session, community, ctx.viewer, recipe_id))


@router.post(BASE + "/{recipe_id}/translations", response_model=TranslationOut, status_code=201)
def save_translation(
    slug: str, recipe_id: Id, body: TranslationIn, request: Request
) -> TranslationOut:
    """Add or replace the recipe in another language (members)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        found = service.save_translation(ctx.session, community, ctx.viewer, recipe_id, body)
        return TranslationOut.model_validate(found)


@router.post(BASE + "/{recipe_id}/oral-histories", response_model=OralHistoryOut, status_code=201)
async def add_oral_history(
    slug: str,
    recipe_id: Id,
    request: Request,
    narrator: Annotated[str, Form(max_length=200)],
    recorded_by: Annotated[str, Form(max_length=200)],
    consent_by: Annotated[str, Form(max_length=200)],
    consent_scope: Annotated[str, Form(max_length=300)],
    consent_on: Annotated[str, Form(max_length=32)],
    title: Annotated[str, Form(max_length=200)] = "",
    recorded_on: Annotated[str, Form(max_length=32)] = "",
    transcript: Annotated[str, Form(max_length=100000)] = "",
    audio: Annotated[UploadFile | None, File()] = None,
) -> OralHistoryOut:
    """Attach a recorded story (multipart: audio file and transcript) with the teller's consent."""
    settings = request.app.state.settings
    limit = settings.max_upload_mb * 1024 * 1024
    content = await audio.read(limit + 1) if audio is not None else None
    try:
        data = OralHistoryIn(
            title=title,
            narrator=narrator,
            recorded_by=recorded_by,
            recorded_on=recorded_on,
            transcript=transcript,
            consent_by=consent_by,
            consent_scope=consent_scope,
            consent_on=consent_on,
        )
    except ValueError as exc:
        raise Invalid(f"The consent record is incomplete: {exc}", field="consent_by") from exc
    # the database work and the audio check run in the thread pool, not on the event loop
    return await run_in_threadpool(
        _store_history, request, slug, recipe_id, data, content or None, limit
    )


def _store_history(
    request: Request,
    slug: str,
    recipe_id: Id,
    data: OralHistoryIn,
    audio: bytes | None,
    limit: int,
) -> OralHistoryOut:
    with unit_of_work(request, write=True) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        item = heritage.add_oral_history(
            ctx.session,
            community,
            ctx.viewer,
            recipe_id,
            data,
            audio=audio,
            data_dir=ctx.settings.data_dir,
            max_bytes=limit,
        )
        out = OralHistoryOut.model_validate(item)
        if item.audio_file:
            out.audio_url = (
                f"/api{BASE.format(slug=slug)}/{recipe_id}/oral-histories/{item.id}/audio"
            )
        return out


@router.put(BASE + "/{recipe_id}/photo", status_code=204)
async def upload_photo(
    slug: str, recipe_id: Id, request: Request, photo: Annotated[UploadFile, File()]
) -> None:
    """Set the recipe's photo (JPEG, PNG, GIF or WebP; the recipe's editors)."""
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    content = await photo.read(limit + 1)
    await run_in_threadpool(_store_photo, request, slug, recipe_id, content, limit)


def _store_photo(request: Request, slug: str, recipe_id: Id, content: bytes, limit: int) -> None:
    with unit_of_work(request, write=True) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        heritage.set_photo(
            ctx.session,
            community,
            ctx.viewer,
            recipe_id,
            content,
            data_dir=ctx.settings.data_dir,
            max_bytes=limit,
        )


@router.get(BASE + "/{recipe_id}/photo")
def recipe_photo(slug: str, recipe_id: Id, request: Request) -> Response:
    """The recipe's photo (only for people who may see the recipe)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        path, media_type = heritage.photo_for(
            ctx.session, community, ctx.viewer, recipe_id, ctx.settings.data_dir
        )
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private"})


@router.get(BASE + "/{recipe_id}/oral-histories/{history_id}/audio")
def oral_history_audio(slug: str, recipe_id: Id, history_id: Id, request: Request) -> Response:
    """Play a recording (only for people who may see the recipe)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        path, media_type = heritage.audio_for(
            ctx.session, community, ctx.viewer, recipe_id, history_id, ctx.settings.data_dir
        )
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private"})


@router.post(BASE + "/import", response_model=list[RecipeSummary], status_code=201)
def import_html(slug: str, body: ImportHtmlIn, request: Request) -> list[RecipeSummary]:
    """Import the recipes in a pasted HTML page or JSON-LD document (members)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        found = exchange.import_content(
            ctx.session, community, ctx.viewer, body.content, source_url=body.source_url
        )
        return [RecipeSummary.model_validate(r) for r in found]


@router.post(BASE + "/import-file", response_model=list[RecipeSummary], status_code=201)
async def import_file(
    slug: str, request: Request, file: Annotated[UploadFile, File()]
) -> list[RecipeSummary]:
    """Import an uploaded HTML page, JSON-LD file, or Mealie / Tandoor export (.zip)."""
    limit = 20 * 1024 * 1024
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge("The file is larger than 20 MB.")
    # unpacking an archive takes time: never on the event loop
    return await run_in_threadpool(_import_bytes, request, slug, content)


def _import_bytes(request: Request, slug: str, content: bytes) -> list[RecipeSummary]:
    with unit_of_work(request, write=True) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        found = exchange.import_content(ctx.session, community, ctx.viewer, content)
        return [RecipeSummary.model_validate(r) for r in found]


@router.post(BASE + "/import-url", response_model=list[RecipeSummary], status_code=201)
def import_url(slug: str, body: ImportUrlIn, request: Request) -> list[RecipeSummary]:
    """Fetch a public web page and import its recipes; internal addresses are refused."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        resolver = request.app.state.extensions.get("recipes.resolver")
        found = exchange.import_url(ctx.session, community, ctx.viewer, body.url, resolver=resolver)
        return [RecipeSummary.model_validate(r) for r in found]


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
        raise Invalid(f"'{amount}' is not an amount.", field="amount")
    if source is None:
        raise Invalid(f"'{unit}' is not a unit we know.", field="from")
    if target is None:
        raise Invalid(f"'{to}' is not a unit we know.", field="to")
    value = convert(parsed.quantity, source, target, food or None)
    shown = round_for_display(value, target)
    return ConversionOut(amount=str(value), unit=target, display=format_amount(shown, None, target))


@router.post("/communities/{slug}/shopping-list", response_model=list[ShoppingLineOut])
def shopping_list(slug: str, body: ShoppingIn, request: Request) -> list[ShoppingLineOut]:
    """One shopping list for several recipes and head counts, the same food merged."""
    with unit_of_work(request, write=False) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        items = [(i.recipe_id, i.servings) for i in body.items]
        lines = exchange.shopping(ctx.session, community, ctx.viewer, items)
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

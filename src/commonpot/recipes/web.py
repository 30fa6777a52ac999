"""Recipe pages: browse and search, read (printable, with story and lineage), write, shop."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from commonpot.communities.web import community_context
from commonpot.errors import DomainError, Invalid
from commonpot.http import Ctx, unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.recipes import browse, exchange, heritage, service
from commonpot.recipes.browse import SearchQuery
from commonpot.recipes.durations import human_duration
from commonpot.recipes.forms import (
    form_values,
    oral_history_from_form,
    recipe_form_values,
    recipe_in_from_form,
    translation_from_form,
)
from commonpot.recipes.ingredients import parse_ingredient
from commonpot.recipes.jsonld import MAX_INPUT_BYTES, to_jsonld
from commonpot.recipes.protocols import LABELS
from commonpot.recipes.scaling import scale_recipe, scaled_text
from commonpot.recipes.shopping import line_text
from commonpot.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
SECTION = {
    "label": "Recipes",
    "path": "recipes",
    "order": 10,
    "blurb": "Ancestral recipes with their stories, lineage and protocols.",
}
PAGE = "/communities/{slug}/recipes"


async def read_form(request: Request) -> FormData:
    """The posted form (already parsed and cached by the CSRF check)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def _editor_context(ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    data["labels"] = list(LABELS.values())
    data["months"] = heritage.MONTHS
    data["can_label"] = data["is_steward"] or data["is_custodian"]
    return data


@router.get(PAGE, response_class=HTMLResponse)
def recipes_page(
    slug: str,
    request: Request,
    q: str = "",
    ingredient: str = "",
    origin: str = "",
    tag: str = "",
    language: str = "",
) -> Response:
    """Browse and search the community's recipes."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        query = SearchQuery(q[:200], ingredient[:100], origin[:100], tag[:60], language[:35], 100)
        data["recipes"] = browse.search_recipes(ctx.session, data["community"], ctx.viewer, query)
        data["query"] = query
        data["searched"] = any([q, ingredient, origin, tag, language])
        return render(request, "recipes/list.html", data, ctx=ctx)


@router.get(PAGE + "/new", response_class=HTMLResponse)
def new_recipe_page(slug: str, request: Request) -> Response:
    """The form to record a recipe (members)."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        if ctx.viewer.user is None:
            return redirect(request, f"/login?next=/communities/{slug}/recipes/new")
        data.update(
            form={"language": "en", "reach": "public"}, action=f"/communities/{slug}/recipes"
        )
        return render(request, "recipes/edit.html", _editor_context(ctx, data), ctx=ctx)


@router.post(PAGE, response_class=HTMLResponse)
def create_recipe(slug: str, request: Request, form: FormDep) -> Response:
    """Store a new recipe from the form, or show the form again with what to fix."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        try:
            recipe = service.create_recipe(
                ctx.session, data["community"], ctx.viewer, recipe_in_from_form(form)
            )
        except (DomainError, ValidationError) as exc:
            ctx.session.rollback()
            return _form_error(request, ctx, data, form, exc, f"/communities/{slug}/recipes")
        rid = recipe.id
    return redirect(request, f"/communities/{slug}/recipes/{rid}", "Recipe saved.")


def _form_error(
    request: Request, ctx: Ctx, data: dict[str, Any], form: FormData, exc: Exception, action: str
) -> Response:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        data.update(error=f"{field}: {first.get('msg', 'invalid')}", error_field=field)
    else:
        assert isinstance(exc, DomainError)
        data.update(error=exc.detail, error_field=exc.field)
    data.update(form=form_values(form), action=action)
    return render(
        request, "recipes/edit.html", _editor_context(ctx, data), ctx=ctx, status_code=422
    )


@router.get(PAGE + "/{recipe_id}/edit", response_class=HTMLResponse)
def edit_recipe_page(slug: str, recipe_id: Id, request: Request) -> Response:
    """The form to change a recipe (its author, stewards, custodians)."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        recipe = service.get_recipe(ctx.session, data["community"], ctx.viewer, recipe_id)
        data.update(
            recipe=recipe,
            form=recipe_form_values(recipe),
            action=f"/communities/{slug}/recipes/{recipe_id}/edit",
        )
        return render(request, "recipes/edit.html", _editor_context(ctx, data), ctx=ctx)


@router.post(PAGE + "/{recipe_id}/edit", response_class=HTMLResponse)
def update_recipe(slug: str, recipe_id: Id, request: Request, form: FormDep) -> Response:
    """Save changes from the form, or show it again with what to fix."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        try:
            service.update_recipe(
                ctx.session, data["community"], ctx.viewer, recipe_id, recipe_in_from_form(form)
            )
        except (DomainError, ValidationError) as exc:
            ctx.session.rollback()
            action = f"/communities/{slug}/recipes/{recipe_id}/edit"
            return _form_error(request, ctx, data, form, exc, action)
    return redirect(request, f"/communities/{slug}/recipes/{recipe_id}", "Recipe saved.")


@router.post(PAGE + "/{recipe_id}/delete")
def delete_recipe(slug: str, recipe_id: Id, request: Request) -> Response:
    """Delete a recipe."""
    with unit_of_work(request) as ctx:
        community = community_context(ctx, slug)["community"]
        service.delete_recipe(ctx.session, community, ctx.viewer, recipe_id)
    return redirect(request, f"/communities/{slug}/recipes", "Recipe deleted.")


@router.post(PAGE + "/{recipe_id}/oral-histories")
async def add_oral_history(slug: str, recipe_id: Id, request: Request, form: FormDep) -> Response:
    """Attach a recording with its transcript and consent record."""
    settings = request.app.state.settings
    limit = settings.max_upload_mb * 1024 * 1024
    audio: bytes | None = None
    for value in form.values():  # close every uploaded file, whatever its field name
        if isinstance(value, UploadFile):
            if value is form.get("audio"):
                audio = await value.read(limit + 1)
            await value.close()
    return await run_in_threadpool(
        _store_history, request, slug, recipe_id, form, audio or None, limit
    )


def _store_history(
    request: Request, slug: str, recipe_id: Id, form: FormData, audio: bytes | None, limit: int
) -> Response:
    with unit_of_work(request, write=True) as ctx:
        community = community_context(ctx, slug)["community"]
        heritage.add_oral_history(
            ctx.session,
            community,
            ctx.viewer,
            recipe_id,
            oral_history_from_form(form),
            audio=audio,
            data_dir=ctx.settings.data_dir,
            max_bytes=limit,
        )
    return redirect(request, f"/communities/{slug}/recipes/{recipe_id}#stories", "Story added.")


@router.post(PAGE + "/{recipe_id}/translations")
def save_translation(slug: str, recipe_id: Id, request: Request, form: FormDep) -> Response:
    """Add the recipe in another language (members)."""
    with unit_of_work(request) as ctx:
        community = community_context(ctx, slug)["community"]
        data = translation_from_form(form)
        service.save_translation(ctx.session, community, ctx.viewer, recipe_id, data)
    url = f"/communities/{slug}/recipes/{recipe_id}?lang={data.language}"
    return redirect(request, url, "Translation saved.")


@router.post(PAGE + "/{recipe_id}/photo")
async def upload_photo(slug: str, recipe_id: Id, request: Request, form: FormDep) -> Response:
    """Set the recipe's photo from the form's file."""
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    content = b""
    for value in form.values():
        if isinstance(value, UploadFile):
            if value is form.get("photo"):
                content = await value.read(limit + 1)
            await value.close()
    return await run_in_threadpool(_store_photo, request, slug, recipe_id, content, limit)


def _store_photo(
    request: Request, slug: str, recipe_id: Id, content: bytes, limit: int
) -> Response:
    with unit_of_work(request, write=True) as ctx:
        community = community_context(ctx, slug)["community"]
        heritage.set_photo(
            ctx.session,
            community,
            ctx.viewer,
            recipe_id,
            content,
            data_dir=ctx.settings.data_dir,
            max_bytes=limit,
        )
    return redirect(request, f"/communities/{slug}/recipes/{recipe_id}", "Photo saved.")


@router.get(PAGE + "/{recipe_id}/photo")
def recipe_photo(slug: str, recipe_id: Id, request: Request) -> Response:
    """The recipe's photo (only for people who may see the recipe)."""
    with unit_of_work(request) as ctx:
        community = community_context(ctx, slug)["community"]
        path, media_type = heritage.photo_for(
            ctx.session, community, ctx.viewer, recipe_id, ctx.settings.data_dir
        )
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private"})


@router.post(PAGE + "/preview-ingredients", response_class=HTMLResponse)
def preview_ingredients(slug: str, request: Request, form: FormDep) -> Response:
    """What the parser reads from the ingredient lines (the editor's live preview)."""
    with unit_of_work(request, write=False) as ctx:
        community_context(ctx, slug)
        text = str(form.get("ingredients", ""))[:20000]
        parsed = [parse_ingredient(line) for line in text.splitlines() if line.strip()][:200]
        return render(request, "recipes/_preview.html", {"parsed": parsed}, ctx=ctx)


@router.get(PAGE + "/import", response_class=HTMLResponse)
def import_page(slug: str, request: Request) -> Response:
    """Import recipes from a web address or pasted HTML / JSON-LD."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        return render(request, "recipes/import.html", data, ctx=ctx)


@router.post(PAGE + "/import", response_class=HTMLResponse)
def import_recipes(slug: str, request: Request, form: FormDep) -> Response:
    """Import from the address or the pasted page; errors come back on the form."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        url = str(form.get("url", "")).strip()
        content: str | bytes = str(form.get("content", ""))
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            if upload.filename:
                content = upload.file.read(MAX_INPUT_BYTES * 4 + 1)
            upload.file.close()
        try:
            if isinstance(content, bytes) and len(content) > MAX_INPUT_BYTES * 4:
                raise Invalid("The file is larger than 20 MB.", field="file")
            if url and not content.strip():
                resolver = request.app.state.extensions.get("recipes.resolver")
                found = exchange.import_url(
                    ctx.session, data["community"], ctx.viewer, url, resolver=resolver
                )
            else:
                found = exchange.import_content(
                    ctx.session, data["community"], ctx.viewer, content, source_url=url or None
                )
        except DomainError as exc:
            ctx.session.rollback()
            shown = content if isinstance(content, str) else ""
            data.update(error=exc.detail, form={"url": url, "content": shown})
            return render(request, "recipes/import.html", data, ctx=ctx, status_code=422)
        first = found[0].id
    return redirect(request, f"/communities/{slug}/recipes/{first}", f"Imported {len(found)}.")


@router.get(PAGE + "/shopping", response_class=HTMLResponse)
def shopping_page(slug: str, request: Request) -> Response:
    """Pick recipes and head counts; get one merged, printable shopping list."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        data["recipes"] = browse.search_recipes(
            ctx.session, community, ctx.viewer, SearchQuery(limit=200)
        )
        chosen: list[tuple[int, int]] = []
        for key, value in request.query_params.items():
            if key.startswith("n_") and is_digits(value.strip()) and int(value) > 0:
                chosen.append((int(key[2:]), min(int(value), 10000)))
        data["chosen"] = dict(chosen)
        if chosen:
            decimal = _decimal(request)
            data["lines"] = [
                (line, line_text(line, decimal))
                for line in exchange.shopping(ctx.session, community, ctx.viewer, chosen)
            ]
        return render(request, "recipes/shopping.html", data, ctx=ctx)


@router.get(PAGE + "/feed.atom")
def recipes_feed(slug: str, request: Request) -> Response:
    """An Atom feed of the community's public recipes (community-only ones never appear)."""
    from commonpot.accounts.service import ANONYMOUS
    from commonpot.communities.service import readable_community
    from commonpot.db import utcnow
    from commonpot.recipes.feed import atom, feed_entries

    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ANONYMOUS)
        entries = feed_entries(ctx.session, community)
        base = ctx.settings.base_url or str(request.base_url).rstrip("/")
        body = atom(community, entries, base.rstrip("/"), utcnow())
    return Response(body, media_type="application/atom+xml")


@router.get("/communities/{slug}/recipe-protocols", response_class=HTMLResponse)
def protocols_page(slug: str, request: Request) -> Response:
    """What the protocol labels mean, what the software enforces and what it cannot."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        data["labels"] = list(LABELS.values())
        return render(request, "recipes/protocols.html", data, ctx=ctx)


# declared last: the catch-all id route must not shadow /import or /shopping
@router.get(PAGE + "/{recipe_id}", response_class=HTMLResponse)
def recipe_page(
    slug: str,
    recipe_id: Id,
    request: Request,
    servings: int | None = None,
    lang: str = "",
    ack: int = 0,
) -> Response:
    """A recipe to read and print: ingredients (scaled on request), steps, story, lineage."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        # the cached read view (one row): the page reads nothing the ORM graph adds
        recipe = service.recipe_view(ctx.session, community, ctx.viewer, recipe_id)
        who = service.access(ctx.session, community, ctx.viewer)
        data.update(
            recipe=recipe,
            notices=heritage.notices(recipe, community),
            label_details=heritage.label_details(recipe),
            can_edit=service.may_edit(who, recipe),
            gated="TK CS" in recipe.labels and not ack,
            translation=next((t for t in recipe.translations if t.language == lang), None),
            tree=browse.variant_tree(ctx.session, community, ctx.viewer, recipe_id),
            generations=_generations(recipe.lineage),
            base_servings=exchange.base_servings(recipe),
            times=[
                (label_text, human_duration(value))
                for label_text, value in (
                    ("Preparation", recipe.prep_time),
                    ("Cooking", recipe.cook_time),
                    ("Total", recipe.total_time),
                )
                if value
            ],
            servings=servings,
        )
        if servings is not None:
            if not 1 <= servings <= 10000:
                raise Invalid("Choose between 1 and 10,000 servings.", field="servings")
            decimal = _decimal(request)
            data["scaled"] = [
                scaled_text(s, decimal) for s in scale_recipe(exchange.scalable(recipe), servings)
            ]
        if recipe.reach == "public" and not data["gated"]:
            url = str(request.url.replace(query=""))
            data["jsonld_doc"] = to_jsonld(heritage.recipe_data(recipe, community, url))
        return render(request, "recipes/detail.html", data, ctx=ctx)


def _decimal(request: Request) -> str:
    """The decimal sign of the reader's locale ("," for es, fr, de, pt)."""
    from babel.numbers import get_decimal_symbol

    from commonpot.templating import reader_locale

    return str(get_decimal_symbol(reader_locale(request)))


def _generations(people: list[Any]) -> list[tuple[int, list[Any]]]:
    groups: dict[int, list[Any]] = {}
    for person in people:
        groups.setdefault(person.generation, []).append(person)
    return sorted(groups.items())

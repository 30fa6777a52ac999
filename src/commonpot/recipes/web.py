"""Recipe pages: browse and search, read (printable, with story and lineage), write.

Heritage pages (stories, translations, the photo) are in `web_heritage`, importing and the
shopping list in `web_exchange`; their routes are included here, before the recipe page
whose `/{recipe_id}` would otherwise shadow them.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from commonpot.communities.scope import CommunityScope, Here, shared_read
from commonpot.errors import DomainError, Forbidden, problem_words
from commonpot.http import PostedForm, Unit, own_address, verify_csrf_form
from commonpot.params import Id
from commonpot.recipes import browse, heritage, service, web_exchange, web_heritage
from commonpot.recipes.browse import SearchQuery
from commonpot.recipes.forms import form_values, recipe_form_values, recipe_in_from_form
from commonpot.recipes.protocols import LABELS
from commonpot.recipes.web_common import recipe_detail
from commonpot.templating import fragment, reader_locale, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
SECTION = {
    "label": "Recipes",
    "path": "recipes",
    "order": 10,
    "blurb": "Ancestral recipes with their stories, lineage and protocols.",
}
PAGE = "/communities/{slug}/recipes"


def _editor_page(
    here: Here,
    form: dict[str, Any],
    action: str,
    *,
    recipe: Any = None,
    error: Exception | None = None,
) -> Response:
    """The recipe form; after a failure, with what was typed and what to fix."""
    data = here.page(
        form=form,
        action=action,
        recipe=recipe,
        labels=list(LABELS.values()),
        months=heritage.MONTHS,
        can_label=here.is_steward or here.is_custodian,
        parents=browse.recipe_names(here.session, here.community, here.viewer),
    )
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        data.update(error=problem_words(dict(first), field), error_field=field)
    elif isinstance(error, DomainError):
        data.update(error=error.detail, error_field=error.field)
    status = 422 if error else 200
    return render(here.request, "recipes/edit.html", data, ctx=here, status_code=status)


@router.get(PAGE, response_class=HTMLResponse)
async def recipes_page(
    request: Request,
    slug: str,
    q: str = "",
    ingredient: str = "",
    origin: str = "",
    tag: str = "",
    language: str = "",
    cuisine: str = "",
) -> Response:
    """Browse and search the community's recipes, by tag and cuisine too.

    Read and rendered on the event loop; the page without a search, for readers not signed
    in, rendered once while the database is unchanged (`shared_read`: never a URL with a
    query)."""
    query = SearchQuery(q[:200], ingredient[:100], origin[:100], tag[:60], language[:35], 100)
    query.cuisine = cuisine[:100]
    searched = any([q, ingredient, origin, tag, language, cuisine])
    return await shared_read(
        request, slug, lambda here: _recipes_page(here, query, searched), page=True
    )


def _recipes_page(here: Here, query: SearchQuery, searched: bool) -> Response:
    session, community, viewer = here.session, here.community, here.viewer
    found = browse.search_recipes(session, community, viewer, query)
    tags, cuisines = browse.facets(session, community, viewer)
    tags_of = browse.tags_of(session, community, [r.id for r in found])
    templates, locale = here.request.app.state.templates, reader_locale(here.request)

    def card(row: Any) -> Markup:
        return _card_html(templates, locale, community.slug, card_key(row, tags_of[row.id]))

    data = here.page(
        recipes=found,
        card=card,
        all_tags=tags,
        all_cuisines=cuisines,
        query=query,
        searched=searched,
    )
    return render(here.request, "recipes/list.html", data, ctx=here)


class Card(NamedTuple):
    """Everything `recipes/_card.html` shows of a listed recipe: the key its card is kept
    by."""

    id: int
    name: str
    description: str  # no more than the card can show (`card_key`)
    language: str
    cuisine: str | None
    origin_place: str | None
    reach: str
    labels: tuple[str, ...]
    photo_file: str | None
    tags: tuple[str, ...]


# the card shows a description cut to 140 characters (Jinja's `truncate`: whole when at
# most 145, else its first 137 up to a space, then "..."); its first 146 decide which
SHOWN_DESCRIPTION = 146


def card_key(row: Any, tags: list[str]) -> Card:
    """The card of a listed recipe (a row of `browse.SUMMARY_COLUMNS`) with its tags."""
    return Card(
        row.id,
        row.name,
        (row.description or "")[:SHOWN_DESCRIPTION],
        row.language,
        row.cuisine,
        row.origin_place,
        row.reach,
        tuple(row.labels or ()),
        row.photo_file,
        tuple(tags),
    )


@lru_cache(maxsize=4096)
def _card_html(templates: Any, locale: str, slug: str, card: Card) -> Markup:
    """A recipe's card as the recipe list shows it, written from `card` alone in `locale`
    (`templating.fragment`): each card is written once per process while it reads the
    same, not on every list (a list of a hundred recipes was most of its page's
    rendering)."""
    recipe = SimpleNamespace(**card._asdict())
    return fragment(
        templates,
        "recipes/_card.html",
        locale,
        r=recipe,
        tags=list(card.tags),
        community=SimpleNamespace(slug=slug),
    )


@router.get(PAGE + "/new", response_class=HTMLResponse)
def new_recipe_page(here: CommunityScope) -> Response:
    """The form to record a recipe (members)."""
    slug = here.community.slug
    if here.viewer.user is None:
        return redirect(here.request, f"/login?next=/communities/{slug}/recipes/new")
    return _editor_page(here, {"language": "en", "reach": "public"}, f"/communities/{slug}/recipes")


@router.post(PAGE, response_class=HTMLResponse)
def create_recipe(here: CommunityScope, form: PostedForm) -> Response:
    """Store a new recipe from the form, or show the form again with what to fix."""
    slug = here.community.slug
    try:
        with here.session.begin_nested():
            recipe = service.create_recipe(
                here.session, here.community, here.viewer, recipe_in_from_form(form)
            )
    except (DomainError, ValidationError) as exc:
        return _editor_page(here, form_values(form), f"/communities/{slug}/recipes", error=exc)
    return redirect(here.request, f"/communities/{slug}/recipes/{recipe.id}", "Recipe saved.")


@router.get(PAGE + "/{recipe_id}/edit", response_class=HTMLResponse)
def edit_recipe_page(recipe_id: Id, here: CommunityScope) -> Response:
    """The form to change a recipe (its author, stewards, custodians)."""
    recipe = service.get_recipe(here.session, here.community, here.viewer, recipe_id)
    if not service.may_edit(service.access(here.session, here.community, here.viewer), recipe):
        raise Forbidden("Only the recipe's author, a steward or a custodian can change it.")
    action = f"/communities/{here.community.slug}/recipes/{recipe_id}/edit"
    return _editor_page(here, recipe_form_values(recipe), action, recipe=recipe)


@router.post(PAGE + "/{recipe_id}/edit", response_class=HTMLResponse)
def update_recipe(recipe_id: Id, here: CommunityScope, form: PostedForm) -> Response:
    """Save changes from the form, or show it again with what to fix."""
    slug = here.community.slug
    try:
        with here.session.begin_nested():
            service.update_recipe(
                here.session, here.community, here.viewer, recipe_id, recipe_in_from_form(form)
            )
    except (DomainError, ValidationError) as exc:
        action = f"/communities/{slug}/recipes/{recipe_id}/edit"
        return _editor_page(here, form_values(form), action, error=exc)
    return redirect(here.request, f"/communities/{slug}/recipes/{recipe_id}", "Recipe saved.")


@router.post(PAGE + "/{recipe_id}/delete")
def delete_recipe(recipe_id: Id, here: CommunityScope) -> Response:
    """Delete a recipe."""
    service.delete_recipe(here.session, here.community, here.viewer, recipe_id)
    return redirect(here.request, f"/communities/{here.community.slug}/recipes", "Recipe deleted.")


@router.get(PAGE + "/feed.atom")
def recipes_feed(slug: str, request: Request, ctx: Unit) -> Response:
    """An Atom feed of the community's public recipes (community-only ones never appear)."""
    from commonpot.accounts import ANONYMOUS
    from commonpot.communities import readable_community
    from commonpot.db import utcnow
    from commonpot.recipes.feed import atom, feed_entries

    community = readable_community(ctx.session, slug, ANONYMOUS)
    entries = feed_entries(ctx.session, community)
    body = atom(community, entries, own_address(request), utcnow())
    return Response(body, media_type="application/atom+xml")


@router.get("/communities/{slug}/recipe-protocols", response_class=HTMLResponse)
def protocols_page(here: CommunityScope) -> Response:
    """What the protocol labels mean, what the software enforces and what it cannot."""
    data = here.page(labels=list(LABELS.values()))
    return render(here.request, "recipes/protocols.html", data, ctx=here)


router.include_router(web_heritage.router)
router.include_router(web_exchange.router)


# declared last: the catch-all id route must not shadow /import or /shopping
@router.get(PAGE + "/{recipe_id}", response_class=HTMLResponse)
async def recipe_page(
    request: Request,
    slug: str,
    recipe_id: Id,
    servings: int | None = None,
    lang: str = "",
    ack: int = 0,
) -> Response:
    """A recipe to read and print: ingredients (scaled on request), steps, story, lineage.

    The busiest page: read and rendered on the event loop, without a thread hop, and for
    readers not signed in rendered once while the database is unchanged (`shared_read`; its
    JSON-LD names the instance's address, so only when that is set)."""
    return await shared_read(
        request,
        slug,
        lambda here: recipe_detail(here, recipe_id, servings=servings, lang=lang, ack=ack),
        address=True,
        page=True,
    )

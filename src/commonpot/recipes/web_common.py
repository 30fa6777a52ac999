"""What several recipe pages share: the recipe page itself, reading uploads, the decimal sign."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from commonpot.communities.scope import Here
from commonpot.errors import DomainError, Invalid
from commonpot.fields import same_language
from commonpot.http import own_address
from commonpot.recipes import browse, exchange, heritage, service
from commonpot.recipes.durations import human_duration
from commonpot.recipes.jsonld import to_jsonld
from commonpot.recipes.listening import audible
from commonpot.recipes.scaling import scale_recipe, scaled_text
from commonpot.templating import reader, render


def decimal_sign(request: Request) -> str:
    """The decimal sign of the reader's locale ("," for es, fr, de, pt)."""
    from babel.numbers import get_decimal_symbol

    from commonpot.templating import reader_locale

    return str(get_decimal_symbol(reader_locale(request)))


def read_upload(form: FormData, name: str, limit: int) -> bytes:
    """The file posted as `name` (at most `limit` + 1 bytes: enough to tell it is too big).

    Every uploaded file is closed, whatever its field name.
    """
    content = b""
    for value in form.values():
        if isinstance(value, UploadFile):
            if value is form.get(name) and value.filename:
                content = value.file.read(limit + 1)
            value.file.close()
    return content


def recipe_detail(
    here: Here,
    recipe_id: int,
    *,
    servings: int | None = None,
    lang: str = "",
    ack: int = 0,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Response:
    """The recipe page; after a failed story or translation form (`failed`), that form again
    with what was typed and the reason (422)."""
    request = here.request
    community = here.community
    data = here.page()
    # the cached read view (one row): the page reads nothing the ORM graph adds
    who = service.standing(here.membership, here.viewer)
    recipe = service.recipe_view(here.session, community, here.viewer, recipe_id, who)
    data.update(
        recipe=recipe,
        notices=heritage.notices(recipe, community, reader(request)),
        audible=audible(
            here.session, community, here.viewer, [h.id for h in recipe.oral_histories]
        ),
        label_details=heritage.label_details(recipe),
        can_edit=service.may_edit(who, recipe),
        can_delete=service.may_delete(who, recipe),
        source_site=urlsplit(recipe.source_url).hostname if recipe.source_url else None,
        gated="TK CS" in recipe.labels and not ack,
        translation=next(
            (t for t in recipe.translations if lang and same_language(t.language, lang)), None
        ),
        tree=browse.variant_tree(here.session, community, here.viewer, recipe_id),
        generations=_generations(recipe.lineage),
        relation_words=lambda relation: heritage.relation_words(relation, reader(request)),
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
        failed=failed,
        values=values or {},
        form_error=error.detail if error else None,
        error_field=error.field if error else None,
    )
    if servings is not None:
        if not 1 <= servings <= 10000:
            raise Invalid("Choose between 1 and 10,000 servings.", field="servings")
        decimal, unit_words = decimal_sign(request), reader(request).gettext
        data["scaled"] = [
            scaled_text(s, decimal, unit_words)
            for s in scale_recipe(exchange.scalable(recipe), servings)
        ]
    if recipe.reach == "public" and not data["gated"]:
        url = f"{own_address(request)}/communities/{community.slug}/recipes/{recipe.id}"
        words = reader(request)
        data["jsonld_doc"] = to_jsonld(heritage.recipe_data(recipe, community, url, words))
    status = error.status if error else 200
    return render(request, "recipes/detail.html", data, ctx=here, status_code=status)


def _generations(people: list[Any]) -> list[tuple[int, list[Any]]]:
    groups: dict[int, list[Any]] = {}
    for person in people:
        groups.setdefault(person.generation, []).append(person)
    return sorted(groups.items())

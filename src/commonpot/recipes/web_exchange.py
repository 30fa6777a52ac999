"""Recipe pages, exchange: importing recipes, the shopping list, the ingredient preview."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError
from commonpot.http import PostedForm
from commonpot.parsing import is_digits
from commonpot.recipes import browse, exchange
from commonpot.recipes import jobs as recipe_jobs
from commonpot.recipes.browse import SearchQuery
from commonpot.recipes.ingredients import parse_ingredient
from commonpot.recipes.shopping import line_text
from commonpot.recipes.units import UNIT_NAMES
from commonpot.recipes.web_common import decimal_sign, read_upload
from commonpot.templating import reader, redirect, render

router = APIRouter()
PAGE = "/communities/{slug}/recipes"


@router.post(PAGE + "/preview-ingredients", response_class=HTMLResponse)
def preview_ingredients(here: CommunityScope, form: PostedForm) -> Response:
    """What the parser reads from the ingredient lines (the editor's live preview)."""
    text = str(form.get("ingredients", ""))[:20000]
    parsed = [parse_ingredient(line) for line in text.splitlines() if line.strip()][:200]
    words = reader(here.request)
    # each unit read is named in the reader's language ("cup" reads "taza" in Spanish)
    units = {p.unit: words.gettext(UNIT_NAMES.get(p.unit, p.unit)) for p in parsed if p.unit}
    data = {"parsed": parsed, "unit_names": units}
    return render(here.request, "recipes/_preview.html", data, ctx=here)


def _import_page(
    here: Here, *, values: dict[str, str] | None = None, error: DomainError | None = None
) -> Response:
    """The import form; after a failure, with what was typed and the reason."""
    data = here.page(
        form=values,
        error=error.detail if error else None,
        error_field=(error.field or "content") if error else None,
    )
    status = 422 if error else 200
    return render(here.request, "recipes/import.html", data, ctx=here, status_code=status)


@router.get(PAGE + "/import", response_class=HTMLResponse)
def import_page(here: CommunityScope) -> Response:
    """Import recipes from a web address, pasted HTML / JSON-LD, or an exported archive."""
    return _import_page(here)


@router.post(PAGE + "/import", response_class=HTMLResponse)
def import_recipes(request: Request, here: CommunityScope, form: PostedForm) -> Response:
    """Pasted pages are imported at once; addresses and files in the background (a job).

    Errors come back on the form with what was typed.
    """
    url = str(form.get("url", "")).strip()
    content = str(form.get("content", ""))
    upload = form.get("file")
    filename = getattr(upload, "filename", "") or ""
    file_bytes = read_upload(form, "file", recipe_jobs.MAX_FILE_BYTES)
    try:
        with here.session.begin_nested():
            if content.strip() and not file_bytes:
                found = exchange.import_content(
                    here.session, here.community, here.viewer, content, source_url=url or None
                )
            else:
                job = recipe_jobs.start_import(
                    here.session,
                    here.community,
                    here.viewer,
                    url=url,
                    upload=file_bytes,
                    filename=filename,
                )
                return redirect(
                    request,
                    f"/jobs/{job.id}",
                    "Importing in the background: this page shows the progress.",
                )
    except DomainError as exc:
        return _import_page(here, values={"url": url, "content": content}, error=exc)
    slug = here.community.slug
    return redirect(
        request, f"/communities/{slug}/recipes/{found[0].id}", f"Imported {len(found)}."
    )


@router.get(PAGE + "/shopping", response_class=HTMLResponse)
def shopping_page(request: Request, here: CommunityScope) -> Response:
    """Pick recipes and head counts; get one merged, printable shopping list."""
    community = here.community
    chosen: list[tuple[int, int]] = []
    for key, value in request.query_params.items():
        if key.startswith("n_") and is_digits(value.strip()) and int(value) > 0:
            chosen.append((int(key[2:]), min(int(value), 10000)))
    data = here.page(
        recipes=browse.search_recipes(here.session, community, here.viewer, SearchQuery(limit=200)),
        chosen=dict(chosen),
    )
    if chosen:
        decimal, words = decimal_sign(request), reader(request).gettext
        data["lines"] = [
            (line, line_text(line, decimal, words))
            for line in exchange.shopping(here.session, community, here.viewer, chosen)
        ]
    return render(request, "recipes/shopping.html", data, ctx=here)

"""Recipes JSON API, exchange: importing pasted pages, uploaded files and web addresses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from commonpot.communities.scope import CommunityScope
from commonpot.errors import PayloadTooLarge
from commonpot.recipes import exchange
from commonpot.recipes.jobs import MAX_FILE_BYTES
from commonpot.recipes.schemas import ImportHtmlIn, ImportUrlIn, RecipeSummary

router = APIRouter()
BASE = "/communities/{slug}/recipes"


@router.post(BASE + "/import", response_model=list[RecipeSummary], status_code=201)
def import_html(body: ImportHtmlIn, here: CommunityScope) -> list[RecipeSummary]:
    """Import the recipes in a pasted HTML page or JSON-LD document (members)."""
    found = exchange.import_content(
        here.session, here.community, here.viewer, body.content, source_url=body.source_url
    )
    return [RecipeSummary.model_validate(r) for r in found]


@router.post(BASE + "/import-file", response_model=list[RecipeSummary], status_code=201)
def import_file(here: CommunityScope, file: Annotated[UploadFile, File()]) -> list[RecipeSummary]:
    """Import an uploaded HTML page, JSON-LD file, or Mealie / Tandoor export (.zip)."""
    # a plain def: unpacking an archive takes time, never on the event loop
    content = file.file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise PayloadTooLarge("The file is larger than 20 MB.")
    found = exchange.import_content(here.session, here.community, here.viewer, content)
    return [RecipeSummary.model_validate(r) for r in found]


@router.post(BASE + "/import-url", response_model=list[RecipeSummary], status_code=201)
def import_url(body: ImportUrlIn, here: CommunityScope) -> list[RecipeSummary]:
    """Fetch a public web page and import its recipes; internal addresses are refused."""
    resolver = here.request.app.state.extensions.get("recipes.resolver")
    found = exchange.import_url(
        here.session, here.community, here.viewer, body.url, resolver=resolver
    )
    return [RecipeSummary.model_validate(r) for r in found]

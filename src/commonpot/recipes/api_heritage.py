"""Recipes JSON API, heritage: recorded stories with their consent, photos, recordings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse, Response

from commonpot.communities.scope import CommunityScope
from commonpot.errors import Invalid
from commonpot.params import Id
from commonpot.recipes import heritage
from commonpot.recipes.schemas import OralHistoryIn, OralHistoryOut

router = APIRouter()
BASE = "/communities/{slug}/recipes"


def upload_limit(here: CommunityScope) -> int:
    """The largest upload accepted, in bytes."""
    return here.settings.max_upload_mb * 1024 * 1024


@router.post(BASE + "/{recipe_id}/oral-histories", response_model=OralHistoryOut, status_code=201)
def add_oral_history(
    recipe_id: Id,
    here: CommunityScope,
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
    limit = upload_limit(here)
    # a plain def: the file is read, checked and stored in the thread pool, not on the loop
    content = audio.file.read(limit + 1) if audio is not None else None
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
        raise Invalid(
            "The consent record is incomplete: %(problem)s", field="consent_by", problem=str(exc)
        ) from exc
    item = heritage.add_oral_history(
        here.session,
        here.community,
        here.viewer,
        recipe_id,
        data,
        audio=content or None,
        data_dir=here.settings.data_dir,
        max_bytes=limit,
    )
    out = OralHistoryOut.model_validate(item)
    if item.audio_file:
        base = BASE.format(slug=here.community.slug)
        out.audio_url = f"/api{base}/{recipe_id}/oral-histories/{item.id}/audio"
    return out


@router.put(BASE + "/{recipe_id}/photo", status_code=204)
def upload_photo(recipe_id: Id, here: CommunityScope, photo: Annotated[UploadFile, File()]) -> None:
    """Set the recipe's photo (JPEG, PNG, GIF or WebP; the recipe's editors)."""
    limit = upload_limit(here)
    content = photo.file.read(limit + 1)
    heritage.set_photo(
        here.session,
        here.community,
        here.viewer,
        recipe_id,
        content,
        data_dir=here.settings.data_dir,
        max_bytes=limit,
    )


@router.get(BASE + "/{recipe_id}/photo")
def recipe_photo(recipe_id: Id, here: CommunityScope) -> Response:
    """The recipe's photo (only for people who may see the recipe)."""
    path, media_type = heritage.photo_for(
        here.session, here.community, here.viewer, recipe_id, here.settings.data_dir
    )
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private"})


@router.get(BASE + "/{recipe_id}/oral-histories/{history_id}/audio")
def oral_history_audio(recipe_id: Id, history_id: Id, here: CommunityScope) -> Response:
    """Play a recording (only for people who may see the recipe)."""
    path, media_type = heritage.audio_for(
        here.session, here.community, here.viewer, recipe_id, history_id, here.settings.data_dir
    )
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private"})

"""Recipe pages, heritage: recorded stories with consent, translations, the photo."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from commonpot.communities.scope import CommunityScope
from commonpot.errors import Invalid, PayloadTooLarge
from commonpot.http import PostedForm
from commonpot.params import Id
from commonpot.recipes import heritage, service
from commonpot.recipes.forms import oral_history_from_form, translation_from_form
from commonpot.recipes.web_common import read_upload, recipe_detail
from commonpot.templating import redirect

router = APIRouter()
PAGE = "/communities/{slug}/recipes"


@router.post(PAGE + "/{recipe_id}/oral-histories")
def add_oral_history(recipe_id: Id, here: CommunityScope, form: PostedForm) -> Response:
    """Attach a recording with its transcript and consent record (or show the form again)."""
    limit = here.settings.max_upload_mb * 1024 * 1024
    audio = read_upload(form, "audio", limit)
    try:
        with here.session.begin_nested():
            heritage.add_oral_history(
                here.session,
                here.community,
                here.viewer,
                recipe_id,
                oral_history_from_form(form),
                audio=audio or None,
                data_dir=here.settings.data_dir,
                max_bytes=limit,
            )
    except (Invalid, PayloadTooLarge) as exc:
        typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return recipe_detail(here, recipe_id, failed="story", values=typed, error=exc)
    url = f"/communities/{here.community.slug}/recipes/{recipe_id}#stories"
    return redirect(here.request, url, "Story added.")


@router.post(PAGE + "/{recipe_id}/translations")
def save_translation(recipe_id: Id, here: CommunityScope, form: PostedForm) -> Response:
    """Add the recipe in another language (members), or show the form again as typed."""
    try:
        with here.session.begin_nested():
            data = translation_from_form(form)
            service.save_translation(here.session, here.community, here.viewer, recipe_id, data)
    except Invalid as exc:
        typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return recipe_detail(here, recipe_id, failed="translation", values=typed, error=exc)
    url = f"/communities/{here.community.slug}/recipes/{recipe_id}?lang={data.language}"
    return redirect(here.request, url, "Translation saved.")


@router.post(PAGE + "/{recipe_id}/photo")
def upload_photo(recipe_id: Id, here: CommunityScope, form: PostedForm) -> Response:
    """Set the recipe's photo from the form's file."""
    limit = here.settings.max_upload_mb * 1024 * 1024
    heritage.set_photo(
        here.session,
        here.community,
        here.viewer,
        recipe_id,
        read_upload(form, "photo", limit),
        data_dir=here.settings.data_dir,
        max_bytes=limit,
    )
    url = f"/communities/{here.community.slug}/recipes/{recipe_id}"
    return redirect(here.request, url, "Photo saved.")


@router.get(PAGE + "/{recipe_id}/photo")
def recipe_photo(recipe_id: Id, here: CommunityScope) -> Response:
    """The recipe's photo (only for people who may see the recipe)."""
    path, media_type = heritage.photo_for(
        here.session, here.community, here.viewer, recipe_id, here.settings.data_dir
    )
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private"})

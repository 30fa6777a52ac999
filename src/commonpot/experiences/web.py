"""Experience pages: the 3-D scene, its accessible text twin, captions and recordings' audio.

Keepers arrange the chapters and set each recording's voice in `web_arrange`; the live,
shared version of the scene (gatherings) is in `web_gatherings`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from commonpot.communities.scope import CommunityScope
from commonpot.experiences import service, web_arrange, web_gatherings
from commonpot.experiences.api import experience_out, read_experience
from commonpot.http import verify_csrf_form
from commonpot.params import Id
from commonpot.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
RECIPE = "/communities/{slug}/recipes/{recipe_id}"
RECORDING = "/communities/{slug}/recordings/{recording_id}"
router.include_router(web_arrange.router)
router.include_router(web_gatherings.router)


@router.get(RECIPE + "/experience", response_class=HTMLResponse)
def scene_page(recipe_id: Id, request: Request, here: CommunityScope, ack: int = 0) -> Response:
    """The recipe's story in 3-D (a sensitive recipe shows its notice before the scene)."""
    found = read_experience(request, here, recipe_id)
    return web_gatherings.scene(request, here, found, gated=found.sensitive and not ack)


@router.get(RECIPE + "/experience/text", response_class=HTMLResponse)
def text_page(recipe_id: Id, request: Request, here: CommunityScope, ack: int = 0) -> Response:
    """The same story as plain HTML: chapters, every step, the lineage and the transcripts."""
    found = read_experience(request, here, recipe_id)
    return render(
        request,
        "experiences/text.html",
        here.page(
            recipe=found.recipe,
            experience=experience_out(found, here.community.slug),
            gated=found.sensitive and not ack,
        ),
        ctx=here,
    )


@router.get(RECORDING + "/captions.vtt")
def captions(recording_id: Id, here: CommunityScope) -> Response:
    """A recording's captions (WebVTT) from its timed transcript."""
    body = service.captions(here.session, here.community, here.viewer, recording_id)
    return Response(
        body, media_type="text/vtt; charset=utf-8", headers={"cache-control": "private"}
    )


@router.get(RECORDING + "/audio")
def audio(recording_id: Id, here: CommunityScope) -> Response:
    """A recording's voice, with byte ranges for seeking (the recipe's and the teller's rules)."""
    path, media_type = service.recording_audio(
        here.session, here.community, here.viewer, recording_id, here.settings.data_dir
    )
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private"})

"""Gatherings: the experience shared live, and the scene page it shares.

The host's chapter and voice position go out on the bus once the request has committed;
everyone present follows them (each hears the host's recording only where their own
chapter holds it) and the presence count, over server-sent events.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from commonpot.bus import bus_of, sse_stream, take_queued
from commonpot.communities.scope import CommunityScope, Here, community_unit, enter
from commonpot.db import utcnow
from commonpot.errors import DomainError
from commonpot.experiences import gatherings, service
from commonpot.experiences.api import chapter_labels, experience_out, gettext, read_experience
from commonpot.experiences.models import Gathering
from commonpot.experiences.schemas import LeadIn, PresenceIn, PresenceOut
from commonpot.experiences.service import Experience
from commonpot.http import unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import redirect, redirect_error, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
RECIPE = "/communities/{slug}/recipes/{recipe_id}"
GATHERING = "/communities/{slug}/gatherings/{gathering_id}"
HEARTBEAT_SECONDS = 10.0


def scene(
    request: Request,
    here: Here,
    found: Experience,
    *,
    gated: bool,
    gathering: Gathering | None = None,
    guest: tuple[str, str] | None = None,
) -> Response:
    """The scene page: the recipe's story in 3-D, alone or in a gathering (live)."""
    data = experience_out(found, here.community.slug)
    scene_data: dict[str, Any] = data.model_dump(mode="json")
    if gathering is not None:
        base = f"/communities/{here.community.slug}/gatherings/{gathering.id}"
        scene_data["gathering"] = {
            "id": gathering.id,
            "title": gathering.title,
            "host": here.viewer.user_id is not None and here.viewer.user_id == gathering.host_id,
            "open": gathering.is_open,
            "chapter": gathering.chapter,
            "recording_id": gathering.recording_id,
            # a late joiner starts where the host's voice is now, not where it was reported
            "audio_s": round(gatherings.position(gathering, utcnow()), 3),
            "playing": gathering.playing,
            "lead": f"{base}/lead",
            "presence": f"{base}/presence",
            "live": f"{base}/live",
            "guest_pass": guest[0] if guest else None,
        }
    keeper = here.is_steward or here.is_custodian
    return render(
        request,
        "experiences/scene.html",
        here.page(
            recipe=found.recipe,
            experience=data,
            scene_data=scene_data,
            gated=gated,
            gathering=gathering,
            guest_label=guest[1] if guest else None,
            gatherings=[]
            if gathering is not None
            else gatherings.gatherings_for(here.session, here.community, found.recipe.id),
            can_gather=keeper and gathering is None,
        ),
        ctx=here,
    )


def _publish(request: Request, here: Here) -> None:
    """Send what the committed request queued for the bus (a lost live update is not fatal)."""
    bus = bus_of(request.app.state)
    for name, message in take_queued(here.session):
        bus.publish(name, message)


@router.post(RECIPE + "/gatherings")
def open_gathering(
    recipe_id: Id,
    request: Request,
    title: Annotated[str, Form(max_length=400)] = "",
    event_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Open a gathering for the experience (stewards and custodians host them)."""
    slug = request.path_params["slug"]
    with community_unit(request, slug) as here:
        event = int(event_id) if is_digits(event_id.strip()) else None
        try:
            with here.session.begin_nested():
                gathering = gatherings.open_gathering(
                    here.session,
                    here.community,
                    here.viewer,
                    recipe_id,
                    title=title,
                    event_id=event,
                )
        except DomainError as exc:
            if exc.status in {401, 403, 404}:
                raise
            return redirect_error(
                request, f"/communities/{slug}/recipes/{recipe_id}/experience", exc
            )
        url = f"/communities/{slug}/gatherings/{gathering.id}"
    return redirect(request, url, gettext(request, "Gathering opened: share this page's address."))


@router.get(GATHERING, response_class=HTMLResponse)
def gathering_page(
    gathering_id: Id, request: Request, here: CommunityScope, guest: str = ""
) -> Response:
    """The experience, shared live: the host leads, everyone present follows.

    `guest` is a pass this server signed for a visitor another instance vouched for; without
    one (or with a bad one) a visitor is an anonymous guest."""
    gathering = gatherings.get_gathering(here.session, here.community, here.viewer, gathering_id)
    found = read_experience(request, here, gathering.recipe_id)
    pass_ = guest[:1000] if here.viewer.user_id is None else ""
    label = gatherings.guest_of(request.app.state.secret_key, gathering.id, pass_)
    return scene(
        request,
        here,
        found,
        gated=False,
        gathering=gathering,
        guest=(pass_, label) if label else None,
    )


@router.post(GATHERING + "/lead", status_code=204)
def lead(gathering_id: Id, body: LeadIn, request: Request) -> Response:
    """The host's chapter and voice position, passed on to everyone present."""
    with unit_of_work(request) as ctx:
        here = enter(ctx, request.path_params["slug"])
        gathering = gatherings.get_gathering(
            here.session, here.community, here.viewer, gathering_id
        )
        found = service.experience(
            here.session, here.community, here.viewer, gathering.recipe_id, chapter_labels(request)
        )
        where = gatherings.Lead(body.chapter, body.audio_s, body.playing)
        ids = [c.recording_id for c in found.story.chapters if c.recording_id is not None]
        lengths = service.recording_durations(
            here.session, here.community, ids, here.settings.data_dir
        )
        voices = [
            gatherings.ChapterVoice(c.recording_id, lengths.get(c.recording_id or 0))
            for c in found.story.chapters
        ]
        gatherings.lead(here.session, here.community, here.viewer, gathering_id, where, voices)
    _publish(request, here)
    return Response(status_code=204)


@router.post(GATHERING + "/presence", response_model=PresenceOut)
def presence(gathering_id: Id, body: PresenceIn, request: Request) -> PresenceOut:
    """A page says it is in the gathering; the answer is how many are."""
    with unit_of_work(request, write=True) as ctx:
        here = enter(ctx, request.path_params["slug"])
        guest = gatherings.guest_of(request.app.state.secret_key, gathering_id, body.guest_pass)
        found = gatherings.present(
            here.session,
            here.community,
            here.viewer,
            gathering_id,
            body.client,
            body.chapter,
            guest,
        )
    _publish(request, here)
    return PresenceOut(count=found.count, guests=list(found.guests), anonymous=found.anonymous)


@router.post(GATHERING + "/close")
def close_gathering(gathering_id: Id, request: Request) -> Response:
    """End the gathering (its host, a steward or a custodian)."""
    slug = request.path_params["slug"]
    with community_unit(request, slug) as here:
        gatherings.close(here.session, here.community, here.viewer, gathering_id)
    _publish(request, here)
    url = f"/communities/{slug}/gatherings/{gathering_id}"
    return redirect(request, url, gettext(request, "Gathering ended."))


def _live_access(request: Request, slug: str, gathering_id: int) -> int:
    with community_unit(request, slug) as here:
        return gatherings.get_gathering(here.session, here.community, here.viewer, gathering_id).id


@router.get(GATHERING + "/live")
async def live(gathering_id: Id, request: Request) -> Response:
    """Server-sent events: the host's moves and the presence count, as they happen."""
    slug = request.path_params["slug"]
    found = await run_in_threadpool(_live_access, request, slug, gathering_id)
    return StreamingResponse(
        sse_stream(
            bus_of(request.app.state),
            gatherings.channel(found),
            accept=lambda _message: True,
            is_disconnected=request.is_disconnected,
            heartbeat=HEARTBEAT_SECONDS,
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

"""Experience pages: the 3-D scene, its accessible text twin, captions and recordings' audio."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from commonpot.bus import bus_of, sse_stream, take_queued
from commonpot.communities.scope import CommunityScope, Here, enter
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.experiences import gatherings, service, story
from commonpot.experiences.api import chapter_labels, experience_out, gettext
from commonpot.experiences.models import Gathering, Listeners
from commonpot.experiences.schemas import (
    ChapterIn,
    ChaptersIn,
    CueIn,
    LeadIn,
    PresenceIn,
    PresenceOut,
    VoiceIn,
)
from commonpot.experiences.service import Experience
from commonpot.http import unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import reader, redirect, redirect_error, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
RECIPE = "/communities/{slug}/recipes/{recipe_id}"
RECORDING = "/communities/{slug}/recordings/{recording_id}"
GATHERING = "/communities/{slug}/gatherings/{gathering_id}"
HEARTBEAT_SECONDS = 10.0


@router.get(RECIPE + "/experience", response_class=HTMLResponse)
def scene_page(recipe_id: Id, request: Request, here: CommunityScope, ack: int = 0) -> Response:
    """The recipe's story in 3-D (a sensitive recipe shows its notice before the scene)."""
    found = service.experience(
        here.session, here.community, here.viewer, recipe_id, chapter_labels(request)
    )
    return _scene(request, here, found, gated=found.sensitive and not ack)


def _scene(
    request: Request,
    here: Here,
    found: Experience,
    *,
    gated: bool,
    gathering: Gathering | None = None,
    guest: tuple[str, str] | None = None,
) -> Response:
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


def _arrange_page(
    request: Request,
    here: Here,
    recipe_id: int,
    typed: str | None = None,
    error: DomainError | None = None,
) -> Response:
    service.require_keeper(here.session, here.community, here.viewer, "arrange an experience")
    found = service.experience(
        here.session, here.community, here.viewer, recipe_id, chapter_labels(request)
    )
    text = (
        typed if typed is not None else story.arrangement_text(found.story.chapters, found.source)
    )
    steps = story.flat_steps(found.source)
    return render(
        request,
        "experiences/arrange.html",
        here.page(
            recipe=found.recipe,
            arrangement=text,
            numbered_steps=list(enumerate(steps, start=1)),
            recordings=found.source.voices,
            form_error=error.detail if error else None,
            error_field=error.field if error else None,
        ),
        ctx=here,
        status_code=422 if error else 200,
    )


@router.get(RECIPE + "/experience/arrange", response_class=HTMLResponse)
def arrange_page(recipe_id: Id, request: Request, here: CommunityScope) -> Response:
    """Arrange the chapters by hand (stewards and custodians)."""
    return _arrange_page(request, here, recipe_id)


@router.post(RECIPE + "/experience/arrange", response_class=HTMLResponse)
def save_arrangement(
    recipe_id: Id,
    request: Request,
    here: CommunityScope,
    chapters: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    """Save the arranged chapters (empty returns to the default), or show the form again."""
    try:
        with here.session.begin_nested():
            try:
                parsed = story.parse_arrangement(chapters)
                data = ChaptersIn(
                    chapters=[
                        ChapterIn(
                            title=c.title,
                            text=c.text,
                            steps=list(c.steps),
                            generation=c.generation,
                            focus=c.focus,
                            recording_id=c.recording_id,
                            start_s=c.start_s,
                            end_s=c.end_s,
                        )
                        for c in parsed
                    ]
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ()))
                raise Invalid(f"{where}: {first['msg']}.", field="chapters") from None
            except ValueError as exc:
                raise Invalid(f"The chapters are not valid: {exc}.", field="chapters") from None
            service.arrange(here.session, here.community, here.viewer, recipe_id, data)
    except DomainError as exc:
        if exc.status in {401, 403, 404}:
            raise
        return _arrange_page(request, here, recipe_id, chapters, exc)
    url = f"/communities/{here.community.slug}/recipes/{recipe_id}/experience"
    return redirect(request, url, gettext(request, "Chapters saved."))


@router.get(RECIPE + "/experience/text", response_class=HTMLResponse)
def text_page(recipe_id: Id, request: Request, here: CommunityScope, ack: int = 0) -> Response:
    """The same story as plain HTML: chapters, every step, the lineage and the transcripts."""
    found = service.experience(
        here.session,
        here.community,
        here.viewer,
        recipe_id,
        chapter_labels(request),
        reader(request),
    )
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


def _recording_page(
    request: Request,
    here: Here,
    recording_id: int,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Response:
    view = service.recording_view(here.session, here.community, here.viewer, recording_id)
    form = values or {"listeners": view.listeners, "cues": story.cue_lines(view.cues)}
    return render(
        request,
        "experiences/recording.html",
        here.page(
            view=view,
            values=form,
            listener_choices=[item.value for item in Listeners],
            form_error=error.detail if error else None,
            error_field=error.field if error else None,
        ),
        ctx=here,
        status_code=422 if error else 200,
    )


@router.get(RECORDING, response_class=HTMLResponse)
def recording_page(recording_id: Id, request: Request, here: CommunityScope) -> Response:
    """A recording's transcript, and for keepers: who may hear it, and its timing."""
    return _recording_page(request, here, recording_id)


@router.post(RECORDING, response_class=HTMLResponse)
def save_recording_voice(
    recording_id: Id,
    request: Request,
    here: CommunityScope,
    listeners: Annotated[str, Form(max_length=16)] = "",
    cues: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    """Save who may hear the recording and its timed transcript, or show the form again."""
    values = {"listeners": listeners, "cues": cues}
    try:
        with here.session.begin_nested():
            try:
                lines = story.parse_cue_lines(cues)
            except ValueError as exc:
                raise Invalid(f"The timed transcript is not valid: {exc}.", field="cues") from None
            if listeners not in {item.value for item in Listeners}:
                raise Invalid("Choose who may hear the recording.", field="listeners")
            try:
                checked = story.check_cues(lines)
                data = VoiceIn(
                    listeners=Listeners(listeners),
                    cues=[CueIn(start_s=c.start_s, end_s=c.end_s, text=c.text) for c in checked],
                )
            except (ValueError, ValidationError) as exc:
                detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else exc
                raise Invalid(
                    "The timed transcript is not valid: %(problem)s.",
                    field="cues",
                    problem=str(detail),
                ) from None
            service.set_voice(here.session, here.community, here.viewer, recording_id, data)
    except DomainError as exc:
        if exc.status in {401, 403, 404}:
            raise
        return _recording_page(request, here, recording_id, values, exc)
    url = f"/communities/{here.community.slug}/recordings/{recording_id}"
    return redirect(request, url, gettext(request, "Saved: the recording plays as you set it."))


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


# --- gatherings: the live, shared version -----------------------------------------------


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
    with unit_of_work(request) as ctx:
        here = enter(ctx, slug)
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
    found = service.experience(
        here.session, here.community, here.viewer, gathering.recipe_id, chapter_labels(request)
    )
    pass_ = guest[:1000] if here.viewer.user_id is None else ""
    label = gatherings.guest_of(request.app.state.secret_key, gathering.id, pass_)
    return _scene(
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
    with unit_of_work(request) as ctx:
        here = enter(ctx, slug)
        gatherings.close(here.session, here.community, here.viewer, gathering_id)
    _publish(request, here)
    url = f"/communities/{slug}/gatherings/{gathering_id}"
    return redirect(request, url, gettext(request, "Gathering ended."))


def _live_access(request: Request, slug: str, gathering_id: int) -> int:
    with unit_of_work(request) as ctx:
        here = enter(ctx, slug)
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

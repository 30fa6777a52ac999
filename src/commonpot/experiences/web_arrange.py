"""Keepers' forms of an experience: arrange its chapters, set who hears a recording and when.

A form that fails comes back with what was typed (422) through its page's one builder.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError, Invalid
from commonpot.experiences import service, story
from commonpot.experiences.api import gettext, read_experience
from commonpot.experiences.models import Listeners
from commonpot.experiences.schemas import ChapterIn, ChaptersIn, CueIn, VoiceIn
from commonpot.http import verify_csrf_form
from commonpot.params import Id
from commonpot.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
RECIPE = "/communities/{slug}/recipes/{recipe_id}"
RECORDING = "/communities/{slug}/recordings/{recording_id}"


def _arrange_page(
    request: Request,
    here: Here,
    recipe_id: int,
    typed: str | None = None,
    error: DomainError | None = None,
) -> Response:
    service.require_keeper(here.session, here.community, here.viewer, "arrange an experience")
    found = read_experience(request, here, recipe_id)
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
                raise Invalid(
                    "The chapters are not valid: %(problem)s.", field="chapters", problem=str(exc)
                ) from None
            service.arrange(here.session, here.community, here.viewer, recipe_id, data)
    except DomainError as exc:
        if exc.status in {401, 403, 404}:
            raise
        return _arrange_page(request, here, recipe_id, chapters, exc)
    url = f"/communities/{here.community.slug}/recipes/{recipe_id}/experience"
    return redirect(request, url, gettext(request, "Chapters saved."))


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
                raise Invalid(
                    "The timed transcript is not valid: %(problem)s.",
                    field="cues",
                    problem=str(exc),
                ) from None
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

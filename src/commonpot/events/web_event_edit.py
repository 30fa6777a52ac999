"""The organiser's pages for one event: check-in at the door and the form to change it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.communities import place_choices
from commonpot.communities.scope import Here
from commonpot.errors import DomainError, Invalid
from commonpot.events import access, service, signup
from commonpot.events.live import EventsScope, discard_pending
from commonpot.events.models import Event
from commonpot.events.web_event import PAGE, local_time
from commonpot.events.web_form import FORM_FIELDS, changes_from_form, picker_values, role_word
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import reader, redirect, render
from commonpot.words import ENGLISH, Words

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])


@router.get(PAGE + "/check-in", response_class=HTMLResponse)
def check_in_page(event_id: Id, request: Request, here: EventsScope) -> Response:
    """The steward's phone page at the door: tap each person as they arrive."""
    community, viewer = here.community, here.viewer
    event = service.get_event(here.session, community, viewer, event_id)
    access.require_manager(here.session, community, viewer, event)
    occasion = signup.current_session(here.session, event)
    came = signup.attendance(here.session, community, viewer, event).get(occasion.id, set())
    confirmed = [
        r
        for r in signup.registrations(here.session, community, viewer, event)
        if r.status == signup.CONFIRMED
    ]
    data = here.page(
        local_time=local_time, event=event, occasion=occasion, came=came, confirmed=confirmed
    )
    return render(request, "events/checkin.html", data, ctx=here)


@router.post(PAGE + "/check-in", response_class=HTMLResponse)
def check_in(
    event_id: Id,
    request: Request,
    here: EventsScope,
    user_id: Annotated[str, Form()] = "",
    session_id: Annotated[str, Form()] = "",
) -> Response:
    """Mark someone as arrived."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    if not is_digits(user_id):
        raise Invalid("Choose who arrived.", field="user_id")
    signup.check_in(
        here.session,
        here.community,
        here.viewer,
        event,
        int(user_id),
        int(session_id) if is_digits(session_id) else None,
    )
    url = f"/communities/{here.community.slug}/events/{event_id}/check-in"
    return redirect(request, url, "Checked in.")


def event_form_values(event: Event, words: Words = ENGLISH) -> dict[str, Any]:
    """The edit form's fields for an event, in its own time zone (roles in the reader's
    `words`)."""
    starts = local_time(event.starts_at, event.timezone)
    ends = local_time(event.ends_at, event.timezone)
    roles = ", ".join(
        f"{role_word(r['name'], words)}:{r['wanted']}"
        if r.get("wanted") is not None
        else role_word(r["name"], words)
        for r in event.roles or []
    )
    return {
        "title": event.title,
        "description": event.description,
        "kind": event.kind,
        "place_id": event.place_id or "",
        "location_note": event.location_note,
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
        "timezone": event.timezone,
        "capacity": event.capacity or "",
        "roles": roles,
        "visibility": event.visibility,
        "accessibility": event.accessibility,
        "languages": event.languages.replace(",", ", "),
        **picker_values(event.rrule, event.timezone),
    }


def _edit_page(
    request: Request,
    here: Here,
    event: Event,
    form: dict[str, Any],
    error: DomainError | None = None,
) -> Response:
    data = here.page(
        local_time=local_time,
        places=place_choices(here.session, here.community),
        form=form,
        error=error.detail if error else None,
        error_field=error.field if error else None,
        kinds=["event", "class", "flash"] if event.kind == "flash" else ["event", "class"],
        heading=reader(request).gettext("Change %(event)s") % {"event": event.title},
        action=f"/communities/{here.community.slug}/events/{event.id}/edit",
        submit_label="Save changes",
    )
    status = error.status if error else 200
    return render(request, "events/form.html", data, ctx=here, status_code=status)


@router.get(PAGE + "/edit", response_class=HTMLResponse)
def edit_page(event_id: Id, request: Request, here: EventsScope) -> Response:
    """The organiser's form to change an event."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    access.require_manager(here.session, here.community, here.viewer, event)
    return _edit_page(request, here, event, event_form_values(event, reader(request)))


@router.post(PAGE + "/edit", response_class=HTMLResponse)
def edit_event(event_id: Id, request: Request, here: EventsScope, posted: PostedForm) -> Response:
    """Save changes; bad input shows the form again with what was typed, nothing changes."""
    form = {k: str(posted.get(k, ""))[:10_000] for k in FORM_FIELDS}
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    try:
        with here.session.begin_nested():
            changes = changes_from_form(form, reader(request))
            service.update_event(here.session, here.community, here.viewer, event, changes)
    except DomainError as exc:
        if exc.status in {401, 403, 404}:
            raise
        discard_pending(here.session)
        return _edit_page(request, here, event, form, exc)
    url = f"/communities/{here.community.slug}/events/{event_id}"
    return redirect(request, url, "Changes saved.")

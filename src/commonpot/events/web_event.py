"""The one page per event (details, map, menu, shopping, who is coming, pairs) and its forms.

Check-in at the door and the organiser's edit form are in `web_event_edit.py`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from babel.numbers import get_decimal_symbol
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from commonpot import recipes
from commonpot.communities import place_markers
from commonpot.communities.scope import Here
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.events import access, menu, pairing, planning, recurrence, service, signup
from commonpot.events.live import EventsScope, discard_pending
from commonpot.events.models import Event
from commonpot.events.recurrence import zone
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import reader, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
PAGE = "/communities/{slug}/events/{event_id}"


def local_time(moment: datetime, timezone: str) -> datetime:
    """A UTC instant shown in the event's own zone."""
    return moment.astimezone(zone(timezone))


@dataclasses.dataclass(frozen=True)
class RepeatShown:
    """A repeat ready for words: the picked repeat, its weekdays, the last date as a datetime."""

    freq: str
    interval: int
    days: tuple[str, ...]
    count: int | None
    until: datetime | None


def repeat_of(event: Event) -> RepeatShown | None:
    """The event's repeat as the picker reads it, weekdays filled in from the first session."""
    found = recurrence.read_rule(event.rrule, event.timezone)
    if found is None:
        return None
    days = found.days
    if found.freq == "weekly" and not days:
        days = (recurrence.WEEKDAYS[local_time(event.starts_at, event.timezone).weekday()],)
    until = datetime.fromisoformat(found.until) if found.until else None
    return RepeatShown(found.freq, found.interval, days, found.count, until)


def _archive_choices(here: Here) -> list[tuple[int, str]]:
    query = recipes.visible_recipes(here.session, here.community, here.viewer).limit(300)
    return sorted(((r.id, r.name) for r in here.session.scalars(query)), key=lambda x: x[1])


def event_page_data(here: Here, event_id: Id, decimal: str = ".") -> dict[str, Any]:
    """Everything the event page shows, decided once for the viewer."""
    ctx = here
    data = here.page(local_time=local_time)
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    manager = access.can_manage(here.session, here.community, here.viewer, event)
    regs = signup.registrations(here.session, here.community, here.viewer, event)
    filled: dict[str, int] = {}
    for r in regs:
        if r.status == signup.CONFIRMED:
            filled[r.role] = filled.get(r.role, 0) + 1
    mine = signup.my_registration(ctx.session, event, ctx.viewer)
    position = None
    if mine is not None and mine.status == signup.WAITLISTED:
        waiting = [r.user_id for r in regs if r.status == signup.WAITLISTED]
        position = waiting.index(mine.user_id) + 1 if mine.user_id in waiting else None
    pairs = None
    if here.is_member and any(r.role in planning.TEACHER_ROLES for r in regs):
        pairs = planning.pairs(here.session, here.community, here.viewer, event)
    markers = place_markers([event.place]) if event.place else []
    series = service.sessions(ctx.session, event)
    upcoming = [x for x in series if not x.cancelled and x.ends_at > utcnow()]
    data.update(
        event=event,
        manager=manager,
        registrations=regs,
        confirmed=[r for r in regs if r.status == signup.CONFIRMED],
        waiting=[r for r in regs if r.status == signup.WAITLISTED],
        filled=filled,
        counts=signup.counts(ctx.session, event),
        mine=mine,
        position=position,
        can_sign_up=ctx.viewer.user is not None
        and (here.is_member or event.visibility == "public"),
        menu_items=menu.menu_items(here.session, here.community, here.viewer, event),
        shopping=menu.shopping(
            here.session,
            here.community,
            here.viewer,
            event,
            decimal=decimal,
            gettext=reader(here.request).gettext,
        ),
        archive=_archive_choices(here) if manager else None,
        pairs=pairs,
        reason_text=pairing.reason_text,
        sessions=series,
        repeat_of=repeat_of,
        next_session=upcoming[0] if upcoming else None,
        came=signup.attendance(here.session, here.community, here.viewer, event) if manager else {},
        markers=markers,
        ended=signup.event_end(ctx.session, event) < utcnow(),
        now=utcnow(),
        values={},
    )
    return data


@router.get(PAGE, response_class=HTMLResponse)
def event_page(event_id: Id, request: Request, here: EventsScope) -> Response:
    """The single place for an event: details, map, menu, shopping list, people, pairs, live."""
    page = event_page_data(here, event_id, _decimal(request))
    return render(request, "events/detail.html", page, ctx=here)


def _decimal(request: Request) -> str:
    """The reader's decimal sign ("," in Spanish), for amounts on the shopping list."""
    return str(get_decimal_symbol(reader(request).locale))


def _act(
    request: Request,
    here: Here,
    event_id: Id,
    action: Callable[[Here, Event], str],
    *,
    back: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    """Run a form action; a refusal shows the event page again with the reason and the input."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    try:
        with here.session.begin_nested():
            message = action(here, event)
    except DomainError as exc:
        if exc.status in {401, 404}:
            raise
        discard_pending(here.session)
        page = event_page_data(here, event_id, _decimal(request))
        page.update(error=exc.detail, error_field=exc.field, values=values or {})
        return render(request, "events/detail.html", page, ctx=here, status_code=exc.status)
    return redirect(request, f"/communities/{here.community.slug}/events/{event_id}{back}", message)


@router.post(PAGE + "/register", response_class=HTMLResponse)
def register(
    event_id: Id,
    request: Request,
    here: EventsScope,
    role: Annotated[str, Form(max_length=40)] = "",
    recipes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Sign up in a role (recipes you teach or want to learn, separated by commas)."""

    def act(here: Here, event: Event) -> str:
        found = signup.register(
            here.session,
            here.community,
            here.viewer,
            event,
            role=role or None,
            recipes=[r for r in recipes.split(",") if r.strip()],
        )
        if found.status == signup.CONFIRMED:
            return reader(request).gettext("You're coming to %(event)s.") % {"event": event.title}
        return reader(request).gettext(
            "The event is full: you are on the waitlist and will move up automatically."
        )

    return _act(request, here, event_id, act, values={"role": role, "recipes": recipes})


@router.post(PAGE + "/withdraw", response_class=HTMLResponse)
def withdraw(
    event_id: Id, request: Request, here: EventsScope, user_id: Annotated[str, Form()] = ""
) -> Response:
    """Withdraw your sign-up (or, as organiser, someone else's)."""

    def act(here: Here, event: Event) -> str:
        target = int(user_id) if is_digits(user_id.strip()) else None
        _, promoted = signup.cancel(here.session, here.community, here.viewer, event, target)
        words = reader(request)
        if promoted:
            return words.gettext("Sign-up withdrawn. %(name)s moved up from the waitlist.") % {
                "name": promoted[0].user.display_name
            }
        return words.gettext("Sign-up withdrawn.")

    return _act(request, here, event_id, act)


@router.post(PAGE + "/menu", response_class=HTMLResponse)
def add_dish(
    event_id: Id, request: Request, here: EventsScope, recipe_id: Annotated[str, Form()] = ""
) -> Response:
    """Put an archive recipe on the menu."""

    def act(here: Here, event: Event) -> str:
        if not is_digits(recipe_id.strip()):
            raise Invalid("Choose a recipe from the archive.", field="recipe_id")
        item = menu.add_recipe(here.session, here.community, here.viewer, event, int(recipe_id))
        return reader(request).gettext("%(dish)s is on the menu.") % {"dish": item.title}

    return _act(request, here, event_id, act, back="#menu", values={"recipe_id": recipe_id})


@router.post(PAGE + "/menu/{item_id}/remove", response_class=HTMLResponse)
def remove_dish(event_id: Id, item_id: Id, request: Request, here: EventsScope) -> Response:
    """Take a dish off the menu."""

    def act(here: Here, event: Event) -> str:
        menu.remove_recipe(here.session, here.community, here.viewer, event, item_id)
        return reader(request).gettext("Dish removed.")

    return _act(request, here, event_id, act, back="#menu")


@router.post(PAGE + "/pantry", response_class=HTMLResponse)
def pantry(event_id: Id, request: Request, here: EventsScope, posted: PostedForm) -> Response:
    """Tick what is already in hand."""
    foods = [str(v) for v in posted.getlist("in_hand")]

    def act(here: Here, event: Event) -> str:
        menu.set_pantry(here.session, here.community, here.viewer, event, foods)
        return reader(request).gettext("Saved what is in hand.")

    return _act(request, here, event_id, act, back="#shopping")


@router.post(PAGE + "/needs", response_class=HTMLResponse)
def post_needs(event_id: Id, request: Request, here: EventsScope) -> Response:
    """Ask the redistribution network for what is not in hand."""

    def act(here: Here, event: Event) -> str:
        posted = menu.turn_into_needs(here.session, here.community, here.viewer, event)
        if not posted:
            return reader(request).gettext("Everything is in hand or already asked for.")
        return reader(request).ngettext(
            "Posted %(num)d need to the network.",
            "Posted %(num)d needs to the network.",
            len(posted),
        ) % {"num": len(posted)}

    return _act(request, here, event_id, act, back="#shopping")


@router.post(PAGE + "/pair-rules", response_class=HTMLResponse)
def add_rule(
    event_id: Id,
    request: Request,
    here: EventsScope,
    teacher_id: Annotated[str, Form()] = "",
    learner_id: Annotated[str, Form()] = "",
    rule: Annotated[str, Form(max_length=8)] = "pin",
) -> Response:
    """Pin or forbid a pair."""

    def act(here: Here, event: Event) -> str:
        if not (is_digits(teacher_id) and is_digits(learner_id)):
            raise Invalid("Choose a teacher and a learner.", field="teacher_id")
        planning.set_rule(
            here.session,
            here.community,
            here.viewer,
            event,
            teacher_id=int(teacher_id),
            learner_id=int(learner_id),
            rule=rule,
        )
        words = reader(request)
        return (
            words.gettext("Pinned.") if rule == "pin" else words.gettext("They will not be paired.")
        )

    typed = {"teacher_id": teacher_id, "learner_id": learner_id, "rule": rule}
    return _act(request, here, event_id, act, back="#pairs", values=typed)


@router.post(PAGE + "/class-size", response_class=HTMLResponse)
def class_size(
    event_id: Id,
    request: Request,
    here: EventsScope,
    learners_per_elder: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """How many learners each elder takes (the organiser decides)."""

    def act(here: Here, event: Event) -> str:
        if not is_digits(learners_per_elder.strip()):
            raise Invalid(
                "Say how many learners each elder takes, e.g. 3.", field="learners_per_elder"
            )
        planning.set_class_size(
            here.session, here.community, here.viewer, event, int(learners_per_elder.strip())
        )
        return reader(request).gettext("Class size saved.")

    typed = {"learners_per_elder": learners_per_elder}
    return _act(request, here, event_id, act, back="#pairs", values=typed)


@router.post(PAGE + "/pair-rules/{rule_id}/remove", response_class=HTMLResponse)
def remove_rule(event_id: Id, rule_id: Id, request: Request, here: EventsScope) -> Response:
    """Remove a pin or forbid."""

    def act(here: Here, event: Event) -> str:
        planning.clear_rule(here.session, here.community, here.viewer, event, rule_id)
        return reader(request).gettext("Rule removed.")

    return _act(request, here, event_id, act, back="#pairs")


@router.post(PAGE + "/cancel", response_class=HTMLResponse)
def cancel_event(event_id: Id, request: Request, here: EventsScope) -> Response:
    """Cancel the event."""

    def act(here: Here, event: Event) -> str:
        service.cancel_event(here.session, here.community, here.viewer, event)
        return reader(request).gettext(
            "The event is cancelled; calendars will show it as cancelled."
        )

    return _act(request, here, event_id, act)


@router.post(PAGE + "/sessions/{session_id}/cancel", response_class=HTMLResponse)
def cancel_session(event_id: Id, session_id: Id, request: Request, here: EventsScope) -> Response:
    """Cancel one session of a series."""

    def act(here: Here, event: Event) -> str:
        service.cancel_session(here.session, here.community, here.viewer, event, session_id)
        return reader(request).gettext("Session cancelled.")

    return _act(request, here, event_id, act, back="#sessions")

"""The one page per event (details, map, menu, shopping, who is coming, pairs) and its forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from commonpot import recipes
from commonpot.communities.web import community_context, place_markers
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.events import access, menu, planning, service, signup
from commonpot.events.live import publish_pending
from commonpot.events.models import Event
from commonpot.events.recurrence import zone
from commonpot.http import Ctx, unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
PAGE = "/communities/{slug}/events/{event_id}"


def local_time(moment: datetime, timezone: str) -> datetime:
    """A UTC instant shown in the event's own zone."""
    return moment.astimezone(zone(timezone))


def page_context(ctx: Ctx, slug: str) -> dict[str, Any]:
    """What every events page needs: the community context and a local-time helper."""
    data = community_context(ctx, slug)
    data["local_time"] = local_time
    return data


def _archive_choices(ctx: Ctx, community: Any) -> list[tuple[int, str]]:
    query = recipes.visible_recipes(ctx.session, community, ctx.viewer).limit(300)
    return sorted(((r.id, r.name) for r in ctx.session.scalars(query)), key=lambda x: x[1])


def event_page_data(ctx: Ctx, slug: str, event_id: Id) -> dict[str, Any]:
    """Everything the event page shows, decided once for the viewer."""
    data = page_context(ctx, slug)
    community = data["community"]
    event = service.get_event(ctx.session, community, ctx.viewer, event_id)
    manager = access.can_manage(ctx.session, community, ctx.viewer, event)
    regs = signup.registrations(ctx.session, community, ctx.viewer, event)
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
    if data["is_member"] and any(r.role in planning.TEACHER_ROLES for r in regs):
        pairs = planning.pairs(ctx.session, community, ctx.viewer, event)
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
        and (data["is_member"] or event.visibility == "public"),
        menu_items=menu.menu_items(ctx.session, community, ctx.viewer, event),
        shopping=menu.shopping(ctx.session, community, ctx.viewer, event),
        archive=_archive_choices(ctx, community) if manager else None,
        pairs=pairs,
        sessions=series,
        next_session=upcoming[0] if upcoming else None,
        came=signup.attendance(ctx.session, community, ctx.viewer, event) if manager else {},
        markers=markers,
        ended=signup.event_end(ctx.session, event) < utcnow(),
        now=utcnow(),
    )
    return data


@router.get(PAGE, response_class=HTMLResponse)
def event_page(slug: str, event_id: Id, request: Request) -> Response:
    """The single place for an event: details, map, menu, shopping list, people, pairs, live."""
    with unit_of_work(request) as ctx:
        data = event_page_data(ctx, slug, event_id)
        return render(request, "events/detail.html", data, ctx=ctx)


def _act(
    request: Request,
    slug: str,
    event_id: Id,
    action: Callable[[Ctx, Any, Event], str],
    *,
    back: str = "",
) -> Response:
    """Run a form action; a domain error shows the event page again with the reason."""
    with unit_of_work(request) as ctx:
        data = page_context(ctx, slug)
        event = service.get_event(ctx.session, data["community"], ctx.viewer, event_id)
        try:
            message = action(ctx, data["community"], event)
        except DomainError as exc:
            if exc.status in {401, 404}:
                raise
            ctx.session.rollback()
            page = event_page_data(ctx, slug, event_id)
            page.update(error=exc.detail, error_field=exc.field)
            return render(request, "events/detail.html", page, ctx=ctx, status_code=exc.status)
    publish_pending(request, ctx.session)
    return redirect(request, f"/communities/{slug}/events/{event_id}{back}", message)


@router.post(PAGE + "/register", response_class=HTMLResponse)
def register(
    slug: str,
    event_id: Id,
    request: Request,
    role: Annotated[str, Form(max_length=40)] = "",
    recipes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Sign up in a role (recipes you teach or want to learn, separated by commas)."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        found = signup.register(
            ctx.session,
            community,
            ctx.viewer,
            event,
            role=role or None,
            recipes=[r for r in recipes.split(",") if r.strip()],
        )
        if found.status == signup.CONFIRMED:
            return f"You're coming to {event.title}."
        return "The event is full: you are on the waitlist and will move up automatically."

    return _act(request, slug, event_id, act)


@router.post(PAGE + "/withdraw", response_class=HTMLResponse)
def withdraw(
    slug: str, event_id: Id, request: Request, user_id: Annotated[str, Form()] = ""
) -> Response:
    """Withdraw your sign-up (or, as organiser, someone else's)."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        target = int(user_id) if is_digits(user_id.strip()) else None
        _, promoted = signup.cancel(ctx.session, community, ctx.viewer, event, target)
        moved = f" {promoted[0].user.display_name} moved up from the waitlist." if promoted else ""
        return "Sign-up withdrawn." + moved

    return _act(request, slug, event_id, act)


@router.post(PAGE + "/menu", response_class=HTMLResponse)
def add_dish(
    slug: str, event_id: Id, request: Request, recipe_id: Annotated[str, Form()] = ""
) -> Response:
    """Put an archive recipe on the menu."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        if not is_digits(recipe_id.strip()):
            raise Invalid("Choose a recipe from the archive.", field="recipe_id")
        item = menu.add_recipe(ctx.session, community, ctx.viewer, event, int(recipe_id))
        return f"{item.title} is on the menu."

    return _act(request, slug, event_id, act, back="#menu")


@router.post(PAGE + "/menu/{item_id}/remove", response_class=HTMLResponse)
def remove_dish(slug: str, event_id: Id, item_id: Id, request: Request) -> Response:
    """Take a dish off the menu."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        menu.remove_recipe(ctx.session, community, ctx.viewer, event, item_id)
        return "Dish removed."

    return _act(request, slug, event_id, act, back="#menu")


@router.post(PAGE + "/pantry", response_class=HTMLResponse)
async def pantry(slug: str, event_id: Id, request: Request) -> Response:
    """Tick what is already in hand."""
    raw = await request.form()
    foods = [str(v) for v in raw.getlist("in_hand")]
    from starlette.concurrency import run_in_threadpool

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        menu.set_pantry(ctx.session, community, ctx.viewer, event, foods)
        return "Saved what is in hand."

    return await run_in_threadpool(_act, request, slug, event_id, act, back="#shopping")


@router.post(PAGE + "/needs", response_class=HTMLResponse)
def post_needs(slug: str, event_id: Id, request: Request) -> Response:
    """Ask the redistribution network for what is not in hand."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        posted = menu.turn_into_needs(ctx.session, community, ctx.viewer, event)
        if not posted:
            return "Everything is in hand or already asked for."
        return f"Posted {len(posted)} needs to the network."

    return _act(request, slug, event_id, act, back="#shopping")


@router.post(PAGE + "/pair-rules", response_class=HTMLResponse)
def add_rule(
    slug: str,
    event_id: Id,
    request: Request,
    teacher_id: Annotated[str, Form()] = "",
    learner_id: Annotated[str, Form()] = "",
    rule: Annotated[str, Form(max_length=8)] = "pin",
) -> Response:
    """Pin or forbid a pair."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        if not (is_digits(teacher_id) and is_digits(learner_id)):
            raise Invalid("Choose a teacher and a learner.", field="teacher_id")
        planning.set_rule(
            ctx.session,
            community,
            ctx.viewer,
            event,
            teacher_id=int(teacher_id),
            learner_id=int(learner_id),
            rule=rule,
        )
        return "Pinned." if rule == "pin" else "They will not be paired."

    return _act(request, slug, event_id, act, back="#pairs")


@router.post(PAGE + "/pair-rules/{rule_id}/remove", response_class=HTMLResponse)
def remove_rule(slug: str, event_id: Id, rule_id: Id, request: Request) -> Response:
    """Remove a pin or forbid."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        planning.clear_rule(ctx.session, community, ctx.viewer, event, rule_id)
        return "Rule removed."

    return _act(request, slug, event_id, act, back="#pairs")


@router.post(PAGE + "/cancel", response_class=HTMLResponse)
def cancel_event(slug: str, event_id: Id, request: Request) -> Response:
    """Cancel the event."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        service.cancel_event(ctx.session, community, ctx.viewer, event)
        return "The event is cancelled; calendars will show it as cancelled."

    return _act(request, slug, event_id, act)


@router.post(PAGE + "/sessions/{session_id}/cancel", response_class=HTMLResponse)
def cancel_session(slug: str, event_id: Id, session_id: Id, request: Request) -> Response:
    """Cancel one session of a series."""

    def act(ctx: Ctx, community: Any, event: Event) -> str:
        service.cancel_session(ctx.session, community, ctx.viewer, event, session_id)
        return "Session cancelled."

    return _act(request, slug, event_id, act, back="#sessions")


@router.get(PAGE + "/check-in", response_class=HTMLResponse)
def check_in_page(slug: str, event_id: Id, request: Request) -> Response:
    """The steward's phone page at the door: tap each person as they arrive."""
    with unit_of_work(request) as ctx:
        data = page_context(ctx, slug)
        community = data["community"]
        event = service.get_event(ctx.session, community, ctx.viewer, event_id)
        access.require_manager(ctx.session, community, ctx.viewer, event)
        occasion = signup.current_session(ctx.session, event)
        came = signup.attendance(ctx.session, community, ctx.viewer, event).get(occasion.id, set())
        confirmed = [
            r
            for r in signup.registrations(ctx.session, community, ctx.viewer, event)
            if r.status == signup.CONFIRMED
        ]
        data.update(event=event, occasion=occasion, came=came, confirmed=confirmed)
        return render(request, "events/checkin.html", data, ctx=ctx)


@router.post(PAGE + "/check-in", response_class=HTMLResponse)
def check_in(
    slug: str,
    event_id: Id,
    request: Request,
    user_id: Annotated[str, Form()] = "",
    session_id: Annotated[str, Form()] = "",
) -> Response:
    """Mark someone as arrived."""
    with unit_of_work(request) as ctx:
        data = page_context(ctx, slug)
        community = data["community"]
        event = service.get_event(ctx.session, community, ctx.viewer, event_id)
        if not is_digits(user_id):
            raise Invalid("Choose who arrived.", field="user_id")
        signup.check_in(
            ctx.session,
            community,
            ctx.viewer,
            event,
            int(user_id),
            int(session_id) if is_digits(session_id) else None,
        )
    return redirect(request, f"/communities/{slug}/events/{event_id}/check-in", "Checked in.")


def event_form_values(event: Event) -> dict[str, Any]:
    """The edit form's fields for an event, in its own time zone."""
    starts = local_time(event.starts_at, event.timezone)
    ends = local_time(event.ends_at, event.timezone)
    roles = ", ".join(
        f"{r['name']}:{r['wanted']}" if r.get("wanted") is not None else r["name"]
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
        "rrule": event.rrule or "",
    }


def _edit_page(
    ctx: Ctx, slug: str, event: Event, form: dict[str, Any], error: DomainError | None = None
) -> dict[str, Any]:
    from commonpot.communities.service import places

    data = page_context(ctx, slug)
    data.update(
        places=places(ctx.session, data["community"]),
        form=form,
        error=error.detail if error else None,
        error_field=error.field if error else None,
        kinds=["event", "class", "flash"] if event.kind == "flash" else ["event", "class"],
        heading=f"Change {event.title}",
        action=f"/communities/{slug}/events/{event.id}/edit",
        submit_label="Save changes",
    )
    return data


@router.get(PAGE + "/edit", response_class=HTMLResponse)
def edit_page(slug: str, event_id: Id, request: Request) -> Response:
    """The organiser's form to change an event."""
    with unit_of_work(request) as ctx:
        data = page_context(ctx, slug)
        event = service.get_event(ctx.session, data["community"], ctx.viewer, event_id)
        access.require_manager(ctx.session, data["community"], ctx.viewer, event)
        page = _edit_page(ctx, slug, event, event_form_values(event))
        return render(request, "events/form.html", page, ctx=ctx)


@router.post(PAGE + "/edit", response_class=HTMLResponse)
async def edit_event(slug: str, event_id: Id, request: Request) -> Response:
    """Save changes; bad input shows the form again with the reason, nothing changes."""
    from starlette.concurrency import run_in_threadpool

    from commonpot.events.web_form import FORM_FIELDS, draft_from_form

    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:10_000] for k in FORM_FIELDS}

    def save() -> Response:
        with unit_of_work(request) as ctx:
            data = page_context(ctx, slug)
            community = data["community"]
            event = service.get_event(ctx.session, community, ctx.viewer, event_id)
            try:
                changes = draft_from_form(form).__dict__
                service.update_event(ctx.session, community, ctx.viewer, event, changes)
            except DomainError as exc:
                if exc.status in {401, 403, 404}:
                    raise
                ctx.session.rollback()
                event = service.get_event(ctx.session, community, ctx.viewer, event_id)
                page = _edit_page(ctx, slug, event, form, exc)
                return render(request, "events/form.html", page, ctx=ctx, status_code=exc.status)
        publish_pending(request, ctx.session)
        return redirect(request, f"/communities/{slug}/events/{event_id}", "Changes saved.")

    return await run_in_threadpool(save)

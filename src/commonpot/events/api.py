"""Events JSON API: events and classes, sign-ups, check-in, menu, pairs, outreach, calendars."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Security
from sqlalchemy.orm import Session

from commonpot.accounts.service import calendar_token
from commonpot.communities.models import Community
from commonpot.communities.service import readable_community
from commonpot.events import access, menu, planning, service, signup
from commonpot.events.live import publish_pending
from commonpot.events.models import Event, Registration
from commonpot.events.recurrence import zone
from commonpot.events.schemas import (
    AttendanceOut,
    AttendanceSummaryOut,
    CalendarOut,
    CheckInIn,
    EventIn,
    EventOut,
    EventPatch,
    MenuItemIn,
    MenuItemOut,
    NeedPostedOut,
    OutreachOut,
    PairingOut,
    PairOut,
    PairRuleIn,
    PairRuleOut,
    PantryIn,
    PersonRef,
    PlaceRef,
    RegistrationIn,
    RegistrationOut,
    SessionOut,
    ShoppingLineOut,
    ShoppingOut,
    WithdrawOut,
)
from commonpot.http import Ctx, bearer_scheme, unit_of_work
from commonpot.params import Id

router = APIRouter(prefix="/api", tags=["events"], dependencies=[Security(bearer_scheme)])
BASE = "/communities/{slug}/events"


def base_url(request: Request) -> str:
    """The instance's public address."""
    configured: str = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


def localise(value: datetime | None, timezone: str) -> datetime | None:
    """A naive time read in the event's zone; an aware one kept as it is."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone(timezone))


def event_out(request: Request, session: Session, community: Community, event: Event) -> EventOut:
    """The API shape of an event."""
    numbers = signup.counts(session, event)
    url = f"{base_url(request)}/communities/{community.slug}/events/{event.id}"
    place = event.place
    return EventOut(
        id=event.id,
        uid=event.uid,
        kind=event.kind,
        title=event.title,
        description=event.description,
        place=PlaceRef(id=place.id, name=place.name, lat=place.lat, lon=place.lon)
        if place
        else None,
        location_note=event.location_note,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        starts_local=event.starts_at.astimezone(zone(event.timezone)).isoformat(),
        timezone=event.timezone,
        capacity=event.capacity,
        roles=list(event.roles or []),
        visibility=event.visibility,
        accessibility=event.accessibility,
        languages=event.language_list,
        rrule=event.rrule,
        status=event.status,
        confirmed=numbers["confirmed"],
        waitlisted=numbers["waitlisted"],
        url=url,
        ics_url=f"{url}.ics",
    )


def registration_out(registration: Registration) -> RegistrationOut:
    """The API shape of a sign-up."""
    return RegistrationOut(
        user_id=registration.user_id,
        name=registration.user.display_name,
        role=registration.role,
        status=registration.status,
        recipes=list(registration.recipes or []),
        queued_at=registration.queued_at,
        promoted_at=registration.promoted_at,
    )


def _load(ctx: Ctx, slug: str, event_id: Id) -> tuple[Community, Event]:
    community = readable_community(ctx.session, slug, ctx.viewer)
    return community, service.get_event(ctx.session, community, ctx.viewer, event_id)


@router.get(BASE, response_model=list[EventOut])
def list_events(
    slug: str, request: Request, upcoming: bool | None = None, kind: str | None = None
) -> list[EventOut]:
    """The community's events you may see (members see community-only ones too)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        found = service.list_events(
            ctx.session, community, ctx.viewer, upcoming=upcoming, kind=kind
        )
        return [event_out(request, ctx.session, community, e) for e in found]


@router.post(BASE, response_model=EventOut, status_code=201)
def create_event(slug: str, body: EventIn, request: Request) -> EventOut:
    """Create an event, class (with an RRULE for a series) or flash event (members)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        data = body.model_dump()
        data["roles"] = [r.model_dump() for r in body.roles]
        zone(body.timezone)
        data["starts_at"] = localise(body.starts_at, body.timezone)
        data["ends_at"] = localise(body.ends_at, body.timezone)
        event = service.create_event(ctx.session, community, ctx.viewer, service.EventDraft(**data))
        out = event_out(request, ctx.session, community, event)
    publish_pending(request, ctx.session)
    return out


@router.get(BASE + "/{event_id}", response_model=EventOut)
def get_event(slug: str, event_id: Id, request: Request) -> EventOut:
    """One event."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        return event_out(request, ctx.session, community, event)


@router.patch(BASE + "/{event_id}", response_model=EventOut)
def update_event(slug: str, event_id: Id, body: EventPatch, request: Request) -> EventOut:
    """Change an event (organiser or steward)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        changes: dict[str, Any] = body.model_dump(exclude_unset=True)
        if body.roles is not None:
            changes["roles"] = [r.model_dump() for r in body.roles]
        tz = changes.get("timezone") or event.timezone
        zone(tz)
        for key in ("starts_at", "ends_at"):
            if key in changes:
                changes[key] = localise(changes[key], tz)
        service.update_event(ctx.session, community, ctx.viewer, event, changes)
        out = event_out(request, ctx.session, community, event)
    publish_pending(request, ctx.session)
    return out


@router.post(BASE + "/{event_id}/cancel", response_model=EventOut)
def cancel_event(slug: str, event_id: Id, request: Request) -> EventOut:
    """Cancel the event (organiser or steward); it stays in feeds as CANCELLED."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        service.cancel_event(ctx.session, community, ctx.viewer, event)
        out = event_out(request, ctx.session, community, event)
    publish_pending(request, ctx.session)
    return out


@router.get(BASE + "/{event_id}/sessions", response_model=list[SessionOut])
def list_sessions(slug: str, event_id: Id, request: Request) -> list[SessionOut]:
    """The event's sessions; organisers also see who attended each."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        came = None
        if access.can_manage(ctx.session, community, ctx.viewer, event):
            came = signup.attendance(ctx.session, community, ctx.viewer, event)
        return [
            SessionOut(
                id=s.id,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                cancelled=s.cancelled,
                attended=sorted(came.get(s.id, set())) if came is not None else None,
            )
            for s in service.sessions(ctx.session, event)
        ]


@router.post(BASE + "/{event_id}/sessions/{session_id}/cancel", response_model=SessionOut)
def cancel_session(slug: str, event_id: Id, session_id: Id, request: Request) -> SessionOut:
    """Cancel one session of a series (it becomes an EXDATE in feeds)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        found = service.cancel_session(ctx.session, community, ctx.viewer, event, session_id)
        return SessionOut(
            id=found.id, starts_at=found.starts_at, ends_at=found.ends_at, cancelled=True
        )


@router.get(BASE + "/{event_id}/registrations", response_model=list[RegistrationOut])
def list_registrations(slug: str, event_id: Id, request: Request) -> list[RegistrationOut]:
    """Who is coming and who waits (names are shown to members only)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        found = signup.registrations(ctx.session, community, ctx.viewer, event)
        return [registration_out(r) for r in found]


@router.post(BASE + "/{event_id}/registrations", response_model=RegistrationOut, status_code=201)
def register(slug: str, event_id: Id, body: RegistrationIn, request: Request) -> RegistrationOut:
    """Sign up in a role: a confirmed place while there is room, else the waitlist."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        found = signup.register(
            ctx.session,
            community,
            ctx.viewer,
            event,
            role=body.role,
            recipes=body.recipes,
            note=body.note,
        )
        out = registration_out(found)
    publish_pending(request, ctx.session)
    return out


@router.delete(BASE + "/{event_id}/registrations/{user_id}", response_model=WithdrawOut)
def withdraw(slug: str, event_id: Id, user_id: Id, request: Request) -> WithdrawOut:
    """Withdraw a sign-up (yours, or anyone's as organiser); the waitlist moves up."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        gone, promoted = signup.cancel(ctx.session, community, ctx.viewer, event, user_id)
        out = WithdrawOut(
            withdrawn=registration_out(gone), promoted=[registration_out(r) for r in promoted]
        )
    publish_pending(request, ctx.session)
    return out


@router.post(BASE + "/{event_id}/check-ins", response_model=AttendanceOut, status_code=201)
def check_in(slug: str, event_id: Id, body: CheckInIn, request: Request) -> AttendanceOut:
    """Check a confirmed person in at the door (organiser or steward)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        found = signup.check_in(
            ctx.session, community, ctx.viewer, event, body.user_id, body.session_id
        )
        return AttendanceOut(
            user_id=found.user_id, session_id=found.session_id, checked_in_at=found.checked_in_at
        )


@router.get(BASE + "/{event_id}/menu", response_model=list[MenuItemOut])
def get_menu(slug: str, event_id: Id, request: Request) -> list[MenuItemOut]:
    """The dishes on the menu."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        items = menu.menu_items(ctx.session, community, ctx.viewer, event)
        return [MenuItemOut(id=i.id, recipe_id=i.recipe_id, title=i.title) for i in items]


@router.post(BASE + "/{event_id}/menu", response_model=MenuItemOut, status_code=201)
def add_dish(slug: str, event_id: Id, body: MenuItemIn, request: Request) -> MenuItemOut:
    """Add an archive recipe to the menu (organiser or steward)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        item = menu.add_recipe(ctx.session, community, ctx.viewer, event, body.recipe_id)
        out = MenuItemOut(id=item.id, recipe_id=item.recipe_id, title=item.title)
    publish_pending(request, ctx.session)
    return out


@router.delete(BASE + "/{event_id}/menu/{item_id}", status_code=204)
def remove_dish(slug: str, event_id: Id, item_id: Id, request: Request) -> None:
    """Take a dish off the menu (organiser or steward)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        menu.remove_recipe(ctx.session, community, ctx.viewer, event, item_id)


@router.get(BASE + "/{event_id}/shopping-list", response_model=ShoppingOut)
def shopping_list(
    slug: str, event_id: Id, request: Request, head_count: int | None = None
) -> ShoppingOut:
    """The menu scaled to the confirmed head count (or `head_count`), merged into one list."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        view = menu.shopping(ctx.session, community, ctx.viewer, event, head_count)
        return ShoppingOut(
            head_count=view.head_count,
            servings=view.servings,
            explanation=view.explanation,
            lines=[
                ShoppingLineOut(**{**line.__dict__, "recipes": list(line.recipes)})
                for line in view.lines
            ],
        )


@router.put(BASE + "/{event_id}/pantry", response_model=list[str])
def set_pantry(slug: str, event_id: Id, body: PantryIn, request: Request) -> list[str]:
    """Say which foods are already in hand (organiser or steward)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        return menu.set_pantry(ctx.session, community, ctx.viewer, event, body.foods)


@router.post(BASE + "/{event_id}/needs", response_model=list[NeedPostedOut], status_code=201)
def post_needs(slug: str, event_id: Id, request: Request) -> list[NeedPostedOut]:
    """Turn what is not in hand into needs in the redistribution network."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        posted = menu.turn_into_needs(ctx.session, community, ctx.viewer, event)
        return [NeedPostedOut(**p) for p in posted]


@router.get(BASE + "/{event_id}/pairs", response_model=PairingOut)
def get_pairs(slug: str, event_id: Id, request: Request) -> PairingOut:
    """The optimal teacher–learner pairing with reasons (members)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        view = planning.pairs(ctx.session, community, ctx.viewer, event)
        return pairing_out(view)


def pairing_out(view: planning.PairingView) -> PairingOut:
    """The API shape of a pairing."""

    def ref(user_id: Id) -> PersonRef:
        return PersonRef(id=user_id, name=view.names.get(user_id, "?"))

    result = view.result
    return PairingOut(
        pairs=[
            PairOut(
                teacher=ref(p.teacher_id),
                learner=ref(p.learner_id),
                score=round(p.score, 3),
                pinned=p.pinned,
                reasons=list(p.reasons),
            )
            for p in result.pairs
        ],
        unpaired_teachers=[ref(i) for i in result.unpaired_teachers],
        unpaired_learners=[ref(i) for i in result.unpaired_learners],
        total=round(result.total, 3),
        rules=[
            PairRuleOut(id=r.id, teacher_id=r.teacher_id, learner_id=r.learner_id, rule=r.rule)
            for r in view.rules
        ],
    )


@router.post(BASE + "/{event_id}/pair-rules", response_model=PairRuleOut, status_code=201)
def add_pair_rule(slug: str, event_id: Id, body: PairRuleIn, request: Request) -> PairRuleOut:
    """Pin or forbid a pair (organiser or steward)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        found = planning.set_rule(ctx.session, community, ctx.viewer, event, **body.model_dump())
        return PairRuleOut(
            id=found.id, teacher_id=found.teacher_id, learner_id=found.learner_id, rule=found.rule
        )


@router.delete(BASE + "/{event_id}/pair-rules/{rule_id}", status_code=204)
def remove_pair_rule(slug: str, event_id: Id, rule_id: Id, request: Request) -> None:
    """Remove a pin or forbid (organiser or steward)."""
    with unit_of_work(request) as ctx:
        community, event = _load(ctx, slug, event_id)
        planning.clear_rule(ctx.session, community, ctx.viewer, event, rule_id)


@router.get("/communities/{slug}/outreach", response_model=list[OutreachOut])
def outreach(slug: str, request: Request) -> list[OutreachOut]:
    """Homes ranked by poor access to fresh food, each with the nearest venue for a class."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        found, origin = planning.outreach_plan(ctx.session, community, ctx.viewer)
        return [
            OutreachOut(
                rank=s.rank,
                home=s.home.name,
                home_id=s.home.id,
                population=s.home.population,
                access_km=s.access_km,
                nearest_source=s.nearest_source,
                venue=s.venue.name if s.venue else None,
                venue_id=s.venue.id if s.venue else None,
                venue_km=s.venue_km,
                score=s.score,
                reason=s.reason,
                analysis=origin,
            )
            for s in found
        ]


@router.get("/communities/{slug}/attendance", response_model=list[AttendanceSummaryOut])
def attendance_history(slug: str, request: Request) -> list[AttendanceSummaryOut]:
    """Who came to the community's events and how often (stewards)."""
    with unit_of_work(request) as ctx:
        community = readable_community(ctx.session, slug, ctx.viewer)
        return [
            AttendanceSummaryOut(user_id=u.id, name=u.display_name, sessions=n, last=last)
            for u, n, last in signup.community_attendance(ctx.session, community, ctx.viewer)
        ]


@router.get("/me/calendar", response_model=CalendarOut)
def my_calendar(request: Request) -> CalendarOut:
    """The secret address of your personal calendar feed (made on first use)."""
    with unit_of_work(request, write=True) as ctx:
        token = calendar_token(ctx.session, ctx.viewer.require_user())
        return CalendarOut(url=f"{base_url(request)}/me/calendar/{token}.ics")


@router.post("/me/calendar/rotate", response_model=CalendarOut)
def rotate_calendar(request: Request) -> CalendarOut:
    """A new secret address for your calendar feed; the old one stops working."""
    with unit_of_work(request) as ctx:
        token = calendar_token(ctx.session, ctx.viewer.require_user(), rotate=True)
        return CalendarOut(url=f"{base_url(request)}/me/calendar/{token}.ics")

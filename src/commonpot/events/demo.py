"""Demo events: a past class with attendance, an upcoming supper with a menu, a weekly class."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from commonpot import recipes
from commonpot.accounts import Viewer
from commonpot.db import utcnow
from commonpot.events import menu, planning, service, signup
from commonpot.events.models import Attendance, Event, EventSession, Registration
from commonpot.events.schemas import EventIn
from commonpot.words import said

if TYPE_CHECKING:
    from commonpot.demo import DemoContext

ZONE = "Europe/London"


def _at(days: int, hour: int) -> datetime:
    from zoneinfo import ZoneInfo

    local = (utcnow() + timedelta(days=days)).astimezone(ZoneInfo(ZONE))
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _saturday(weeks_ago: int) -> datetime:
    start = _at(-7 * weeks_ago, 10)
    return start - timedelta(days=(start.weekday() - 5) % 7)


def _create(session: Session, ctx: DemoContext, organiser: str, **fields: Any) -> Event:
    community = ctx.communities[fields.pop("community", "riverside")]
    place = ctx.places[community.slug][fields.pop("place")]
    hours = fields.pop("hours", 3)
    draft = EventIn(
        place_id=place.id,
        ends_at=fields["starts_at"] + timedelta(hours=hours),
        timezone=ZONE,
        **fields,
    )
    return service.create_event(session, community, Viewer(user=ctx.users[organiser]), draft)


def _sign(
    session: Session, event: Event, ctx: DemoContext, people: list[tuple[str, str, list[str]]]
) -> None:
    """Sign-ups written directly: past events no longer take sign-ups through the service."""
    for n, (key, role, dishes) in enumerate(people):
        session.add(
            Registration(
                community_id=event.community_id,
                event_id=event.id,
                user_id=ctx.users[key].id,
                role=role,
                status="confirmed",
                recipes=dishes,
                queued_at=event.created_at + timedelta(minutes=n),
            )
        )
    session.flush()


def _attend(
    session: Session, event: Event, sess: EventSession, ctx: DemoContext, keys: list[str]
) -> None:
    for key in keys:
        session.add(
            Attendance(
                community_id=event.community_id,
                event_id=event.id,
                session_id=sess.id,
                user_id=ctx.users[key].id,
                checked_in_by_id=ctx.users["amara"].id,
                checked_in_at=sess.starts_at + timedelta(minutes=5),
            )
        )


def load(session: Session, ctx: DemoContext) -> None:
    """Add riverside's past class, upcoming supper and weekly bread class; a hillside supper."""
    tamales = _create(
        session,
        ctx,
        "amara",
        title="Tamales with Rosa",
        kind="class",
        place="Community Kitchen",
        starts_at=_at(-21, 17),
        description="Rosa shows how her grandmother Carmen folded tamales in Guerrero.",
        capacity=10,
        roles=[{"name": "elder", "wanted": 2}, {"name": "apprentice", "wanted": 6}],
        languages="es,en",
        accessibility="Step-free entrance; seated stations for anyone who needs them.",
        visibility="public",
    )
    _sign(
        session,
        tamales,
        ctx,
        [
            ("rosa", "elder", ["tamales", "pozole"]),
            ("kenji", "elder", ["miso soup"]),
            ("lina", "apprentice", ["tamales"]),
            ("sam", "apprentice", ["miso soup"]),
            ("priya", "apprentice", ["pozole"]),
        ],
    )
    # two elders, three apprentices: each elder takes up to two (the class's size for pairs)
    river, amara = ctx.communities["riverside"], Viewer(user=ctx.users["amara"])
    planning.set_class_size(session, river, amara, tamales, 2)
    (first,) = service.sessions(session, tamales)
    _attend(session, tamales, first, ctx, ["rosa", "kenji", "lina", "sam"])

    supper = _create(
        session,
        ctx,
        "amara",
        title="Harvest supper from the archive",
        kind="event",
        place="Community Kitchen",
        starts_at=_at(5, 18),
        description="Cook the archive's recipes together and eat at the long table.",
        capacity=6,
        roles=[{"name": "cook", "wanted": 4}, {"name": "helper"}, {"name": "dishwasher"}],
        languages="en,es",
        accessibility="Step-free; quiet corner by the window.",
        visibility="public",
    )
    for key, role in (
        ("rosa", "cook"),
        ("tomas", "cook"),
        ("lina", "helper"),
        ("kenji", "cook"),
        ("sam", "dishwasher"),
        ("priya", "helper"),
        ("amara", "cook"),
    ):
        signup.register(
            session, ctx.communities["riverside"], Viewer(user=ctx.users[key]), supper, role=role
        )
    dishes = _add_archive_menu(session, ctx, supper)

    bread = _create(
        session,
        ctx,
        "amara",
        title="Saturday bread class",
        kind="class",
        place="Community Kitchen",
        starts_at=_saturday(weeks_ago=2),
        hours=2,
        description="Eight Saturdays of bread: starters, flatbreads, rye and festival loaves.",
        capacity=8,
        roles=[{"name": "elder", "wanted": 2}, {"name": "apprentice", "wanted": 6}],
        languages="en,ja",
        rrule="FREQ=WEEKLY;COUNT=8",
        visibility="community",
    )
    _sign(
        session,
        bread,
        ctx,
        [
            ("kenji", "elder", ["milk bread", "rye"]),
            ("rosa", "elder", ["pan dulce"]),
            ("sam", "apprentice", ["milk bread"]),
            ("lina", "apprentice", ["pan dulce"]),
        ],
    )
    sessions = service.sessions(session, bread)
    _attend(session, bread, sessions[0], ctx, ["kenji", "rosa", "sam", "lina"])
    _attend(session, bread, sessions[1], ctx, ["kenji", "sam", "lina"])
    sessions[4].cancelled = True  # the kitchen is closed that week

    hill = _create(
        session,
        ctx,
        "miriam",
        community="hillside",
        title="Hillside mezze evening",
        place="Hillside Kitchen",
        starts_at=_at(9, 19),
        capacity=12,
        roles=[{"name": "cook"}, {"name": "helper"}],
        languages="ar,en",
    )
    for key in ("jonah", "wren"):
        signup.register(session, ctx.communities["hillside"], Viewer(user=ctx.users[key]), hill)
    session.flush()
    ctx.notes.append(
        said(
            "events: past class with attendance (each elder takes two learners), '%(supper)s' "
            "(menu: %(menu)s; one on the waitlist), weekly bread class with a cancelled "
            "session; feeds at /communities/riverside/events.ics",
            supper=supper.title,
            menu=dishes or said("no recipes"),
        )
    )


def _add_archive_menu(session: Session, ctx: DemoContext, event: Event) -> str:
    community = ctx.communities["riverside"]
    viewer = Viewer(user=ctx.users["amara"])
    query = recipes.visible_recipes(session, community, viewer)
    found = list(session.scalars(query.limit(20)))
    chosen = [r for r in found if r.ingredients][:3]
    for recipe in chosen:
        menu.add_recipe(session, community, viewer, event, recipe.id)
    return ", ".join(r.name for r in chosen)

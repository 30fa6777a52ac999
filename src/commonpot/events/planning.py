"""Planning use cases: elder–youth pairs for a class, and where to hold the next class."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commonpot import ecology, network
from commonpot.accounts import User, Viewer
from commonpot.communities import Community, places, require_member
from commonpot.errors import DomainError, Invalid, NotFound
from commonpot.events import outreach, pairing
from commonpot.events.access import real_id, require_manager
from commonpot.events.models import Event, PairRule, Registration
from commonpot.events.signup import CONFIRMED
from commonpot.tenancy import find_scoped

TEACHER_ROLES = frozenset({"elder", "teacher", "mentor", "elder/teacher"})
LEARNER_ROLES = frozenset({"apprentice", "learner", "youth", "student"})
HOME_KINDS = frozenset({"enclave", "household"})
SOURCE_KINDS = frozenset({"market", "garden", "biodome"})
VENUE_KINDS = frozenset({"kitchen", "plaza"})
PIN, FORBID = "pin", "forbid"


@dataclass(frozen=True)
class PairingView:
    """The pairing with people's names, for pages and the API."""

    result: pairing.Pairing
    names: dict[int, str]
    rules: list[PairRule]
    per_teacher: int = 1


def class_size(event: Event) -> int:
    """How many learners each elder takes at this event (1 unless the organiser said more)."""
    value = event.learners_per_elder
    return value if isinstance(value, int) and 1 <= value <= pairing.MAX_PER_TEACHER else 1


def set_class_size(
    session: Session, community: Community, viewer: Viewer, event: Event, size: int
) -> Event:
    """The organiser (or a steward) sets the learners per elder for this event's pairs."""
    require_manager(session, community, viewer, event)
    if isinstance(size, bool) or not 1 <= size <= pairing.MAX_PER_TEACHER:
        raise Invalid(
            "Each elder takes 1 to %(num)s learners.",
            field="learners_per_elder",
            num=pairing.MAX_PER_TEACHER,
        )
    pinned: dict[int, int] = {}
    for r in rules(session, event):
        if r.rule == PIN:
            pinned[r.teacher_id] = pinned.get(r.teacher_id, 0) + 1
    if any(n > size for n in pinned.values()):
        raise Invalid(
            "An elder is already pinned to more learners than that; unpin first.",
            field="learners_per_elder",
        )
    event.learners_per_elder = size
    session.flush()
    return event


def _person(user: User, registration: Registration) -> pairing.Person:
    return pairing.Person(
        id=user.id,
        name=user.display_name,
        languages=frozenset(c for c in (user.languages or "").split(",") if c),
        birth_year=user.birth_year,
        recipes=frozenset(r.strip().lower() for r in registration.recipes or [] if r.strip()),
    )


def _sides(
    session: Session, event: Event
) -> tuple[list[pairing.Person], list[pairing.Person], dict[int, str]]:
    rows = session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
        .order_by(Registration.id)
    ).all()
    teachers, learners, names = [], [], {}
    for registration, user in rows:
        names[user.id] = user.display_name
        if registration.role in TEACHER_ROLES:
            teachers.append(_person(user, registration))
        elif registration.role in LEARNER_ROLES:
            learners.append(_person(user, registration))
    return teachers, learners, names


def rules(session: Session, event: Event) -> list[PairRule]:
    """The steward's pins and forbids for the event."""
    return list(
        session.scalars(select(PairRule).where(PairRule.event_id == event.id).order_by(PairRule.id))
    )


def pairs(session: Session, community: Community, viewer: Viewer, event: Event) -> PairingView:
    """The optimal pairing of confirmed teachers and learners (members see it)."""
    if not viewer.is_admin:
        require_member(session, community, viewer)
    teachers, learners, names = _sides(session, event)
    t_ids, l_ids = {t.id for t in teachers}, {p.id for p in learners}
    found = rules(session, event)
    size = class_size(event)
    live = [r for r in found if r.teacher_id in t_ids and r.learner_id in l_ids]
    result = pairing.pair(
        teachers,
        learners,
        pins=[(r.teacher_id, r.learner_id) for r in live if r.rule == PIN],
        forbids=[(r.teacher_id, r.learner_id) for r in live if r.rule == FORBID],
        per_teacher=size,
    )
    return PairingView(result=result, names=names, rules=found, per_teacher=size)


def set_rule(
    session: Session,
    community: Community,
    viewer: Viewer,
    event: Event,
    *,
    teacher_id: int,
    learner_id: int,
    rule: str,
) -> PairRule:
    """Pin or forbid a teacher–learner pair (organiser or steward); replaces an earlier rule."""
    require_manager(session, community, viewer, event)
    if rule not in {PIN, FORBID}:
        raise Invalid("A rule is 'pin' or 'forbid'.", field="rule")
    teachers, learners, _ = _sides(session, event)
    if teacher_id not in {t.id for t in teachers}:
        raise Invalid("That person is not a confirmed teacher here.", field="teacher_id")
    if learner_id not in {p.id for p in learners}:
        raise Invalid("That person is not a confirmed learner here.", field="learner_id")
    if rule == PIN:
        others = list(
            session.scalars(
                select(PairRule).where(
                    PairRule.event_id == event.id,
                    PairRule.rule == PIN,
                    (PairRule.teacher_id == teacher_id) | (PairRule.learner_id == learner_id),
                    ~((PairRule.teacher_id == teacher_id) & (PairRule.learner_id == learner_id)),
                )
            )
        )
        learner_taken = any(r.learner_id == learner_id for r in others)
        teacher_full = sum(1 for r in others if r.teacher_id == teacher_id) >= class_size(event)
        if learner_taken or teacher_full:
            raise Invalid(
                "One of them is already pinned to someone else; unpin first.", field="rule"
            )
    session.execute(
        delete(PairRule).where(
            PairRule.event_id == event.id,
            PairRule.teacher_id == teacher_id,
            PairRule.learner_id == learner_id,
        )
    )
    found = PairRule(
        community_id=community.id,
        event_id=event.id,
        teacher_id=teacher_id,
        learner_id=learner_id,
        rule=rule,
    )
    session.add(found)
    session.flush()
    return found


def clear_rule(
    session: Session, community: Community, viewer: Viewer, event: Event, rule_id: int
) -> None:
    """Remove a pin or forbid (organiser or steward)."""
    require_manager(session, community, viewer, event)
    found = find_scoped(session, PairRule, rule_id if real_id(rule_id) else None, community.id)
    if found is None or found.event_id != event.id:
        raise NotFound("No such pairing rule.")
    session.delete(found)
    session.flush()


# --- outreach ------------------------------------------------------------------------------

AccessFunction = Callable[
    [Sequence[tuple[float, float]], Sequence[tuple[float, float]]],
    list[tuple[float | None, int | None]],
]


def food_access_function() -> tuple[AccessFunction, str]:
    """Ecology's nearest-source analysis, in the (km, index) shape the outreach engine takes."""

    def via_ecology(
        homes: Sequence[tuple[float, float]], sources: Sequence[tuple[float, float]]
    ) -> list[tuple[float | None, int | None]]:
        if not homes or not sources:
            return [(None, None)] * len(homes)
        found = ecology.nearest_sources(
            ecology.Population.of([h[0] for h in homes], [h[1] for h in homes]),
            ecology.Sources.of([s[0] for s in sources], [s[1] for s in sources]),
        )
        return [
            (float(km), int(i)) if math.isfinite(km) and i >= 0 else (None, None)
            for km, i in zip(found.km.tolist(), found.source.tolist(), strict=True)
        ]

    return via_ecology, "ecology"


def _network_sources(
    session: Session, community: Community, viewer: Viewer
) -> list[outreach.Point]:
    """Open offers and foraging patches, for members (the network's data is theirs)."""
    try:
        offers = network.visible_offers(session, community, viewer, status="open")
        patches = network.patches(session, community, viewer)
    except DomainError:  # not a member: the network's places are not theirs to see
        return []
    out: list[outreach.Point] = []
    for n, offer in enumerate(offers):
        out.append(
            outreach.Point(-(n + 1), f"offer of {offer.category}", offer.lat, offer.lon, "network")
        )
    for n, patch in enumerate(patches, start=len(offers)):
        out.append(outreach.Point(-(n + 1), patch.name, patch.lat, patch.lon, "network"))
    return out


def outreach_plan(
    session: Session, community: Community, viewer: Viewer
) -> tuple[list[outreach.Suggestion], str]:
    """Homes ranked by how poorly they reach fresh food, each with the nearest venue."""
    everything = places(session, community)

    def points(kinds: frozenset[str]) -> list[outreach.Point]:
        return [
            outreach.Point(p.id, p.name, p.lat, p.lon, p.kind, p.population)
            for p in everything
            if p.kind in kinds
        ]

    homes = points(HOME_KINDS)
    sources = points(SOURCE_KINDS) + _network_sources(session, community, viewer)
    venues = points(VENUE_KINDS)
    access, origin = food_access_function()
    distances = access([(h.lat, h.lon) for h in homes], [(s.lat, s.lon) for s in sources])
    return outreach.plan(homes, sources, venues, distances), origin

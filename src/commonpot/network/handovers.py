"""The last mile: each line of a committed run becomes a handover that people see and complete.

    proposed --recipient confirms--> confirmed --volunteer--> picked_up --> handed_over
        \\--recipient declines--> declined      (and proposed/confirmed --window missed,
                                                  food spoiled--> expired)

Only the recipient confirms, declines or changes the window; the donor, the volunteer
carrying it or a steward marks it picked up or handed over. Declined and expired units go
back to the offer (and out of the need's count) at once, so a follow-up allocation
(`network.followup`) can give them to the next need (`handover_returns`). Every step queues
a live update on the community's network channel (ids and states only, addressed to the
people involved) and a typed signal for the notifications (`handover_news`), and a
completion is appended to the governance ledger with its run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from commonpot import communities, governance
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import N_, Conflict, Forbidden, Invalid, NotFound
from commonpot.network.access import is_steward, require_reader
from commonpot.network.handover_news import announce, live_channel
from commonpot.network.handover_returns import GRACE, close, expire_due, freed, give_back
from commonpot.network.models import (
    OPEN_HANDOVER_STATES,
    AllocationRun,
    Assignment,
    Handover,
    HandoverState,
    Need,
    Offer,
)
from commonpot.paging import EVERY_ROW, Page, Window, read_page
from commonpot.tenancy import get_scoped, select_scoped

DEFAULT_LEAD = timedelta(hours=1)  # the first window starts at the next full hour after this
DEFAULT_LENGTH = timedelta(hours=3)
MIN_WINDOW = timedelta(minutes=15)
MAX_WINDOW = timedelta(hours=12)
MAX_AHEAD = timedelta(days=14)
LEDGER_KIND = "network.handover_completed"


def default_window(now: datetime, expires_at: datetime | None) -> tuple[datetime, datetime]:
    """The next full hour after a short lead, for three hours, and never past the expiry."""
    start = (now + DEFAULT_LEAD).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    end = start + DEFAULT_LENGTH
    if expires_at is not None and end > expires_at:
        end = expires_at
        if end - start < MIN_WINDOW:  # spoils soon: from now until it spoils
            start = now
            end = max(expires_at, now + MIN_WINDOW)
    return start, end


# --- creating and reading ---------------------------------------------------------------------


def create_for_run(session: Session, community: Community, run: AllocationRun) -> list[Handover]:
    """One proposed handover per line of a just-committed run (called by `runs.apply_run`)."""
    now = utcnow()
    rows = session.execute(
        select(Assignment, Offer, Need)
        .join(Offer, Offer.id == Assignment.offer_id)
        .join(Need, Need.id == Assignment.need_id)
        .where(Assignment.run_id == run.id)
        .order_by(Assignment.id)
    ).all()
    made = []
    for line, offer, need in rows:
        start, end = default_window(now, offer.expires_at)
        handover = Handover(
            community_id=community.id,
            run_id=run.id,
            assignment_id=line.id,
            offer_id=offer.id,
            need_id=need.id,
            donor_id=offer.user_id,
            recipient_id=need.user_id,
            category=offer.category,
            unit=offer.unit,
            quantity=line.quantity,
            lat=offer.lat,
            lon=offer.lon,
            place_note=offer.description[:200],
            window_start=start,
            window_end=end,
            state=HandoverState.PROPOSED.value,
            created_at=now,
            updated_at=now,
        )
        session.add(handover)
        made.append(handover)
    session.flush()
    for handover in made:
        announce(session, handover, "proposed")
    return made


def _involved(handover: Handover, viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.user_id in (
        handover.donor_id,
        handover.recipient_id,
        handover.volunteer_id,
    )


def get_handover(
    session: Session, community: Community, viewer: Viewer, handover_id: int
) -> Handover:
    """One handover, for the people involved and the stewards (404 for anyone else)."""
    require_reader(session, community, viewer)
    handover = get_scoped(
        session, Handover, handover_id, community.id, missing=N_("No such handover here.")
    )
    if not (_involved(handover, viewer) or is_steward(session, community, viewer)):
        raise NotFound("No such handover here.")
    return handover


HISTORY_SHOWN = 100  # of a person's own handovers, the my-food/offers/carry pages list at once


def my_food(
    session: Session, community: Community, viewer: Viewer, window: Window = EVERY_ROW
) -> list[Handover]:
    """What is coming to the viewer, soonest first (then what already happened, the latest
    first); those in `window`."""
    return list(session.scalars(window.of(_mine(session, community, viewer, "food"))))


def my_offers(
    session: Session, community: Community, viewer: Viewer, window: Window = EVERY_ROW
) -> list[Handover]:
    """Who collects what of the viewer's offers, and when (in `my_food`'s order)."""
    return list(session.scalars(window.of(_mine(session, community, viewer, "offers"))))


def my_carrying(
    session: Session, community: Community, viewer: Viewer, window: Window = EVERY_ROW
) -> list[Handover]:
    """The handovers the viewer volunteered to carry (in `my_food`'s order)."""
    return list(session.scalars(window.of(_mine(session, community, viewer, "carry"))))


def mine_shown(
    session: Session,
    community: Community,
    viewer: Viewer,
    which: str,
    *,
    offset: int = 0,
    limit: int = HISTORY_SHOWN,
) -> Page:
    """A page of the viewer's own handovers as recipient ("food"), donor ("offers") or
    carrier ("carry"), in `my_food`'s order, and how many there are: a food bank's donor
    or a regular driver gathers thousands over the years."""
    return read_page(session, _mine(session, community, viewer, which), offset, limit, scalars=True)


_WHOSE = {
    "food": Handover.recipient_id,
    "offers": Handover.donor_id,
    "carry": Handover.volunteer_id,
}


def _mine(session: Session, community: Community, viewer: Viewer, which: str) -> Any:
    """The viewer's handovers in one role, ordered by the database: open ones first,
    soonest window first; then the rest, the latest first."""
    require_reader(session, community, viewer)
    query = select_scoped(Handover, community.id).where(_WHOSE[which] == viewer.user_id)
    is_open = Handover.state.in_(OPEN_HANDOVER_STATES)
    return query.order_by(
        case((is_open, 0), else_=1),
        case((is_open, Handover.window_start)),
        Handover.window_start.desc(),
        Handover.id,
    )


CARRY_SHOWN = 100  # open handovers the carrying page lists at once


def needing_transport(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    offset: int = 0,
    limit: int = CARRY_SHOWN,
) -> Page:
    """Open handovers nobody carries yet (members may volunteer; no names on this list),
    soonest window first, `limit` from `offset`: a city's run leaves thousands."""
    require_reader(session, community, viewer)
    query = select_scoped(Handover, community.id).where(
        Handover.volunteer_id.is_(None),
        Handover.state.in_((HandoverState.PROPOSED.value, HandoverState.CONFIRMED.value)),
    )
    soonest = query.order_by(Handover.window_start, Handover.id)
    return read_page(session, soonest, offset, limit, scalars=True)


def for_run(session: Session, community: Community, run_id: int) -> list[Handover]:
    """A run's handovers in line order (the caller decides who may see them)."""
    query = select_scoped(Handover, community.id).where(Handover.run_id == run_id)
    return list(session.scalars(query.order_by(Handover.assignment_id)))


def run_progress(session: Session, community: Community, run_id: int) -> dict[str, int]:
    """Units of a run by handover state: how much of what was allocated reached people."""
    totals = {state.value: 0 for state in HandoverState}
    query = (
        select(Handover.state, func.sum(Handover.quantity))
        .where(Handover.community_id == community.id, Handover.run_id == run_id)
        .group_by(Handover.state)
    )
    for state, units in session.execute(query):  # summed by the database: a city's run
        totals[state] += int(units or 0)
    return totals


# --- the recipient's steps ----------------------------------------------------------------------


_HANDOVER_CLOSED = {
    HandoverState.PICKED_UP.value: N_("This handover is already picked up."),
    HandoverState.HANDED_OVER.value: N_("This handover is already handed over."),
    HandoverState.DECLINED.value: N_("This handover is already declined."),
    HandoverState.EXPIRED.value: N_("This handover is already expired."),
}


def handover_closed(handover: Handover) -> Conflict:
    """The refusal to change a handover that has moved on (one sentence per state)."""
    said = _HANDOVER_CLOSED.get(handover.state)
    if said is not None:
        return Conflict(said)
    return Conflict("This handover is already %(state)s.", state=handover.state)


def _as_recipient(
    session: Session, community: Community, viewer: Viewer, handover_id: int
) -> Handover:
    handover = get_handover(session, community, viewer, handover_id)
    if handover.recipient_id != viewer.user_id:
        raise Forbidden("Only the person receiving this food can confirm, decline or reschedule.")
    if handover.state not in (HandoverState.PROPOSED.value, HandoverState.CONFIRMED.value):
        raise handover_closed(handover)
    return handover


def check_window(
    handover: Handover, offer: Offer, start: datetime, end: datetime, now: datetime
) -> None:
    """A window the recipient may choose: ahead, long enough, not too long, before it spoils."""
    if end <= start:
        raise Invalid("window_end: must be after the start", field="window_end")
    if end - start < MIN_WINDOW:
        raise Invalid("window_end: a window lasts at least 15 minutes", field="window_end")
    if end - start > MAX_WINDOW:
        raise Invalid("window_end: a window lasts at most 12 hours", field="window_end")
    if end <= now:
        raise Invalid("window_start: must be in the future", field="window_start")
    if start > now + MAX_AHEAD:
        raise Invalid("window_start: at most 14 days ahead", field="window_start")
    if offer.expires_at is not None and start >= offer.expires_at:
        raise Invalid("window_start: the food keeps only until then", field="window_start")


def confirm(
    session: Session,
    community: Community,
    viewer: Viewer,
    handover_id: int,
    *,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> Handover:
    """The recipient confirms they will collect, optionally in another window."""
    handover = _as_recipient(session, community, viewer, handover_id)
    if window_start is not None or window_end is not None:
        _set_window(session, handover, window_start, window_end)
    now = utcnow()
    was = handover.state
    handover.state = HandoverState.CONFIRMED.value
    handover.confirmed_at = handover.confirmed_at or now
    handover.updated_at = now
    announce(session, handover, "confirmed" if was == HandoverState.PROPOSED.value else "window")
    return handover


def change_window(
    session: Session,
    community: Community,
    viewer: Viewer,
    handover_id: int,
    *,
    window_start: datetime,
    window_end: datetime,
) -> Handover:
    """The recipient chooses another pickup window (the state stays)."""
    handover = _as_recipient(session, community, viewer, handover_id)
    _set_window(session, handover, window_start, window_end)
    handover.updated_at = utcnow()
    announce(session, handover, "window")
    return handover


def _set_window(
    session: Session, handover: Handover, start: datetime | None, end: datetime | None
) -> None:
    start = start or handover.window_start
    end = end or (start + (handover.window_end - handover.window_start))
    offer = session.get(Offer, handover.offer_id)
    assert offer is not None
    check_window(handover, offer, start, end, utcnow())
    handover.window_start = start
    handover.window_end = end


def decline(session: Session, community: Community, viewer: Viewer, handover_id: int) -> Handover:
    """The recipient declines: the units go back for the next need."""
    handover = _as_recipient(session, community, viewer, handover_id)
    close(session, handover, HandoverState.DECLINED.value)
    return handover


# --- carrying and completing -----------------------------------------------------------------


def volunteer(session: Session, community: Community, viewer: Viewer, handover_id: int) -> Handover:
    """A member offers to carry an open handover from the donor to the recipient."""
    communities.require_member(session, community, viewer)
    handover = get_scoped(
        session, Handover, handover_id, community.id, missing=N_("No such handover here.")
    )
    if handover.state not in (HandoverState.PROPOSED.value, HandoverState.CONFIRMED.value):
        raise handover_closed(handover)
    if handover.volunteer_id not in (None, viewer.user_id):
        raise Conflict("Someone else is already carrying this.")
    handover.volunteer_id = viewer.user_id
    handover.updated_at = utcnow()
    announce(session, handover, "volunteer")
    return handover


def _as_carrier(
    session: Session, community: Community, viewer: Viewer, handover_id: int
) -> Handover:
    handover = get_handover(session, community, viewer, handover_id)
    allowed = viewer.user_id is not None and viewer.user_id in (
        handover.donor_id,
        handover.volunteer_id,
    )
    if not (allowed or is_steward(session, community, viewer)):
        raise Forbidden("Only the donor, the volunteer carrying it or a steward can do this.")
    return handover


def mark_picked_up(
    session: Session, community: Community, viewer: Viewer, handover_id: int
) -> Handover:
    """The volunteer (or donor, or a steward) has the food on its way."""
    handover = _as_carrier(session, community, viewer, handover_id)
    if handover.state != HandoverState.CONFIRMED.value:
        raise Conflict("Only a confirmed handover can be picked up.")
    now = utcnow()
    handover.state = HandoverState.PICKED_UP.value
    handover.picked_up_at = now
    handover.updated_at = now
    announce(session, handover, "picked_up")
    return handover


def mark_handed_over(
    session: Session, community: Community, viewer: Viewer, handover_id: int
) -> Handover:
    """The food reached the recipient: recorded with its run in the community's ledger."""
    handover = _as_carrier(session, community, viewer, handover_id)
    if handover.state not in (HandoverState.CONFIRMED.value, HandoverState.PICKED_UP.value):
        raise Conflict("Only a confirmed handover can be handed over.")
    now = utcnow()
    handover.state = HandoverState.HANDED_OVER.value
    handover.handed_over_at = now
    handover.updated_at = now
    governance.append_to_ledger(
        session,
        community,
        LEDGER_KIND,
        {
            "run": handover.run_id,
            "handover": handover.id,
            "category": handover.category,
            "unit": handover.unit,
            "quantity": handover.quantity,
        },
    )
    announce(session, handover, "handed_over")
    return handover


__all__ = [
    "GRACE",
    "announce",
    "change_window",
    "check_window",
    "close",
    "confirm",
    "create_for_run",
    "decline",
    "default_window",
    "expire_due",
    "for_run",
    "freed",
    "get_handover",
    "give_back",
    "live_channel",
    "mark_handed_over",
    "mark_picked_up",
    "my_carrying",
    "my_food",
    "my_offers",
    "needing_transport",
    "run_progress",
    "volunteer",
]

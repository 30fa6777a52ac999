"""Declined and expired handovers give their units back, once, for the next need."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.network.handover_news import announce
from commonpot.network.models import (
    CLOSED_UNHANDED,
    Handover,
    HandoverState,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
)
from commonpot.tenancy import select_scoped

GRACE = timedelta(hours=1)  # a window is missed this long after it ends


def close(session: Session, handover: Handover, state: str) -> None:
    """Decline or expire a handover and give its units back to the offer, once."""
    now = utcnow()
    handover.state = state
    handover.closed_at = now
    handover.updated_at = now
    if not handover.returned:
        give_back(session, handover)
        handover.returned = True
    announce(session, handover, state)


def give_back(session: Session, handover: Handover) -> None:
    """The handover's units leave the need's count and are open on the offer again."""
    q = handover.quantity
    session.execute(
        update(Offer)
        .where(Offer.id == handover.offer_id, Offer.allocated >= q)
        .values(
            allocated=Offer.allocated - q,
            status=_reopened(Offer.status, OfferStatus.ALLOCATED.value, OfferStatus.OPEN.value),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Need)
        .where(Need.id == handover.need_id, Need.received >= q)
        .values(
            received=Need.received - q,
            status=_reopened(Need.status, NeedStatus.FILLED.value, NeedStatus.OPEN.value),
        )
        .execution_options(synchronize_session=False)
    )
    for row in (session.get(Offer, handover.offer_id), session.get(Need, handover.need_id)):
        if row is not None:
            session.expire(row)


def _reopened(column: Any, full: str, open_: str) -> Any:
    return case((column == full, open_), else_=column)


def expire_due(session: Session, now: datetime | None = None) -> int:
    """Expire open handovers whose window was missed or whose food spoiled (all communities)."""
    now = now or utcnow()
    due = session.scalars(
        select(Handover)
        .join(Offer, Offer.id == Handover.offer_id)
        .where(
            Handover.state.in_((HandoverState.PROPOSED.value, HandoverState.CONFIRMED.value)),
            or_(
                Handover.window_end < now - GRACE,
                Offer.expires_at.is_not(None) & (Offer.expires_at < now),
            ),
        )
        .order_by(Handover.id)
    ).all()
    for handover in due:
        close(session, handover, HandoverState.EXPIRED.value)
    return len(due)


def freed(session: Session, community: Community) -> list[Handover]:
    """Declined or expired handovers whose units no follow-up run has re-assigned yet."""
    query = select_scoped(Handover, community.id).where(
        Handover.state.in_(CLOSED_UNHANDED), Handover.reallocated_in.is_(None)
    )
    return list(session.scalars(query.order_by(Handover.id)))

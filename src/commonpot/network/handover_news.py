"""Telling people that a handover moved: a live update for open pages, a signal for notices."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commonpot import signals
from commonpot.bus import queue_after_commit
from commonpot.network.models import Handover
from commonpot.network.signals import HandoverChanged


def live_channel(community_id: int) -> str:
    """The bus channel of a community's handover updates (never the events' channel)."""
    return f"network:{community_id}"


def announce(session: Session, handover: Handover, step: str) -> None:
    users = tuple(
        u
        for u in dict.fromkeys((handover.recipient_id, handover.donor_id, handover.volunteer_id))
        if u is not None
    )
    queue_after_commit(
        session,
        live_channel(handover.community_id),
        {
            "type": "handover",
            "id": handover.id,
            "run": handover.run_id,
            "state": handover.state,
            "step": step,
            "window_start": handover.window_start.isoformat(),
            "window_end": handover.window_end.isoformat(),
            "users": list(users),
        },
    )
    if step != "proposed":  # the run's commit already tells recipients and donors
        signals.emit(
            session,
            HandoverChanged(
                community_id=handover.community_id,
                handover_id=handover.id,
                step=step,
                recipient_id=handover.recipient_id,
                donor_id=handover.donor_id,
                volunteer_id=handover.volunteer_id,
                category=handover.category,
                quantity=handover.quantity,
                unit=handover.unit,
                window_start=handover.window_start,
            ),
        )

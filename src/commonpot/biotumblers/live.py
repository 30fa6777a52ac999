"""Live biotumbler updates: publish what a transaction queued, stream a community's as SSE."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.orm import Session

from commonpot.biotumblers.service import live_channel
from commonpot.bus import Bus, bus_of, sse_stream, take_queued

HEARTBEAT_SECONDS = 10.0
log = logging.getLogger(__name__)


def publish_to(bus: Bus, session: Session) -> None:
    """Publish the live updates a committed transaction queued (never fails the caller)."""
    for channel, message in take_queued(session):
        try:
            bus.publish(channel, message)
        except Exception:  # a live update lost must not undo committed work
            log.exception("could not publish a live update on %s", channel)


def publish_pending(request: Request, session: Session) -> None:
    """Publish what a committed request queued on the app's bus."""
    publish_to(bus_of(request.app.state), session)


def stream(
    request: Request, community_id: int, device: str, *, limit: int | None = None
) -> AsyncIterator[str]:
    """One device's live readings and state as SSE (the caller has checked visibility)."""
    return sse_stream(
        bus_of(request.app.state),
        live_channel(community_id),
        accept=lambda message: message.get("device") == device,
        is_disconnected=request.is_disconnected,
        limit=limit,
        heartbeat=HEARTBEAT_SECONDS,
    )

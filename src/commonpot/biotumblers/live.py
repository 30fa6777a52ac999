"""Live biotumbler updates: publish what a transaction queued, stream a community's as SSE."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from commonpot.biotumblers.service import live_channel
from commonpot.bus import Bus, bus_of, opened, take_queued

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


def sse(kind: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream(
    request: Request, community_id: int, device: str, *, limit: int | None = None
) -> AsyncIterator[str]:
    """One device's live readings and state as SSE (the caller has checked visibility)."""
    sent = 0
    try:
        subscription = opened(bus_of(request.app.state), live_channel(community_id))
        sub = await subscription.__aenter__()
    except Exception:  # the bus is down: the page still works, it just is not live
        log.exception("live updates unavailable")
        yield ": live updates are unavailable right now\n\n"
        return
    try:
        yield "retry: 3000\n: connected\n\n"
        while limit is None or sent < limit:
            if await request.is_disconnected():
                break
            message = await sub.get(HEARTBEAT_SECONDS)
            if message is None:
                yield ": keep-alive\n\n"
                continue
            if message.get("device") != device:
                continue
            yield sse(str(message.get("type", "message")), message)
            sent += 1
    finally:
        await subscription.__aexit__(None, None, None)

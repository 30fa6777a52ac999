"""Edge helpers for live updates: publish what a request queued, and stream it as SSE."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from commonpot.bus import bus_of, opened, take_queued

HEARTBEAT_SECONDS = 10.0
log = logging.getLogger(__name__)


def publish_pending(request: Request, session: Session) -> None:
    """Publish the live updates a committed request queued (never fails the request)."""
    messages = take_queued(session)
    if not messages:
        return
    bus = bus_of(request.app.state)
    for channel, message in messages:
        try:
            bus.publish(channel, message)
        except Exception:  # a live update lost must not undo committed work
            log.exception("could not publish a live update on %s", channel)


def community_channel(community_id: int) -> str:
    """The bus channel of a community's events."""
    return f"community:{community_id}"


def sse(kind: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream(
    request: Request,
    community_id: int,
    *,
    members_only_ok: bool,
    limit: int | None = None,
) -> AsyncIterator[str]:
    """Messages for one community as SSE; community-only events only reach members."""
    sent = 0
    try:
        subscription = opened(bus_of(request.app.state), community_channel(community_id))
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
            if message.get("visibility") != "public" and not members_only_ok:
                continue
            yield sse(str(message.get("type", "message")), message)
            sent += 1
    finally:
        await subscription.__aexit__(None, None, None)

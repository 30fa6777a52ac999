"""Edge helpers for live updates: publish what a request queued, and stream it as SSE."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from commonpot import signals
from commonpot.bus import bus_of, sse_stream, take_queued
from commonpot.communities.scope import Here, community_unit

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


def discard_pending(session: Session) -> None:
    """Forget the live updates and domain events queued by work that was rolled back."""
    take_queued(session)
    session.info.pop(signals.QUEUE_KEY, None)


def _events_unit(slug: str, request: Request) -> Iterator[Here]:
    with community_unit(request, slug) as here:
        yield here
    publish_pending(request, here.session)


# `CommunityScope` that, once the unit of work has committed, publishes the live updates it
# queued (a flash event called, a place taken): events handlers use it for every page.
EventsScope = Annotated[Here, Depends(_events_unit, scope="function")]


def community_channel(community_id: int) -> str:
    """The bus channel of a community's events."""
    return f"community:{community_id}"


def stream(
    request: Request,
    community_id: int,
    *,
    members_only_ok: bool,
    limit: int | None = None,
) -> AsyncIterator[str]:
    """Messages for one community as SSE; community-only events only reach members."""
    return sse_stream(
        bus_of(request.app.state),
        community_channel(community_id),
        accept=lambda message: members_only_ok or message.get("visibility") == "public",
        is_disconnected=request.is_disconnected,
        limit=limit,
        heartbeat=HEARTBEAT_SECONDS,
    )

"""Edge helper for the network's live updates: publish what a request queued, after commit."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from commonpot.bus import bus_of, take_queued

log = logging.getLogger(__name__)


def publish_queued(app_state: Any, session: Session) -> None:
    """Publish the live updates a committed request queued (run as a background task, so
    after the unit of work committed and the response went out; never fails the caller)."""
    messages = take_queued(session)
    if not messages:
        return
    bus = bus_of(app_state)
    for channel, message in messages:
        try:
            bus.publish(channel, message)
        except Exception:  # a lost live update must not undo committed work
            log.exception("could not publish a live update on %s", channel)

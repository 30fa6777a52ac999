"""Reads: stored readings, counts and the spec's assessment of a device or a batch."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, distinct, func, select
from sqlalchemy.orm import Session

from commonpot import communities
from commonpot.accounts import Viewer
from commonpot.biotumblers import alerts, assessment, readings, verdicts
from commonpot.biotumblers.models import AlertEpisode, Batch, Biotumbler
from commonpot.communities import Community
from commonpot.errors import NotFound

reading_count = verdicts.reading_count
remembered = verdicts.remembered
stored_readings = verdicts.stored_readings


def assess_device(
    session: Session,
    device: Biotumbler,
    *,
    batch: Batch | None = None,
    now: datetime | None = None,
    max_gap: timedelta = assessment.DEFAULT_MAX_GAP,
) -> assessment.Assessment:
    """The spec's assessment of a device's readings (or of one batch's, kept once it ended)."""
    return verdicts.judge(session, device, batch=batch, now=now, max_gap=max_gap)


def device_summary(session: Session, device: Biotumbler) -> dict[str, Any]:
    """The API's view of a device: its registration, state and the spec's assessment keys."""
    verdict = assess_device(session, device)
    return {
        "device": device.device,
        "name": device.name,
        "lat": device.lat,
        "lon": device.lon,
        "probes": device.probes,
        "mqtt_state": device.mqtt_state,
        "last_reading_at": (
            None if device.last_reading_at is None else readings.format_time(device.last_reading_at)
        ),
        **verdict.to_json(rejected=device.rejected),
        "expected_every_minutes": device.expected_every_s // 60,
        "open_episodes": [
            alerts.episode_json(device, e)
            for e in alerts.open_for(session, [device.id]).get(device.id, [])
        ],
    }


class Highlight(NamedTuple):
    """A device as the community's home lists it: when it last reported and how many of its
    alert episodes are open."""

    device: str
    name: str
    last_reading_at: datetime | None
    open_alerts: int


def highlights(session: Session, community: Community, viewer: Viewer) -> list[Highlight]:
    """Each visible device with its last reading and open alerts (for the community home):
    `service.visible_devices`' rule, in one statement built once (an open episode counts
    once per kind and level, as `alerts.open_for` keys them)."""
    if not communities.can_read(session, community, viewer):
        raise NotFound("No community '%(slug)s' here.", slug=community.slug)
    found = session.execute(_HIGHLIGHTS, {"community_id": community.id})
    return [Highlight(*row) for row in found]


_OPEN_ALERTS = (
    select(func.count(distinct(AlertEpisode.kind + ":" + AlertEpisode.level)))
    .where(AlertEpisode.device_id == Biotumbler.id, AlertEpisode.ended_at.is_(None))
    .scalar_subquery()
)
_HIGHLIGHTS = (
    select(Biotumbler.device, Biotumbler.name, Biotumbler.last_reading_at, _OPEN_ALERTS)
    .where(Biotumbler.community_id == bindparam("community_id"))
    .order_by(Biotumbler.device)
)

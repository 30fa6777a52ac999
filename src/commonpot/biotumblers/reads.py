"""Reads: stored readings, counts and the spec's assessment of a device or a batch."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.biotumblers import alerts, assessment, readings, service, verdicts
from commonpot.biotumblers.models import Batch, Biotumbler
from commonpot.communities import Community

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


def highlights(session: Session, community: Community, viewer: Viewer) -> list[dict[str, Any]]:
    """Each visible device with its last reading and open alerts (for the community home)."""
    devices = service.visible_devices(session, community, viewer)
    episodes = alerts.open_for(session, [d.id for d in devices])
    return [
        {
            "device": d.device,
            "name": d.name,
            "last_reading_at": d.last_reading_at,
            "open_alerts": len(episodes.get(d.id, [])),
        }
        for d in devices
    ]

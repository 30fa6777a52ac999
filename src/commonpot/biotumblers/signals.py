"""Biotumbler domain events: an alert episode opened (stewards are told once per episode)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertOpened:
    """An alert episode began on a device: what, how bad, since when (UTC, RFC 3339)."""

    community_id: int
    episode_id: int
    device: str
    device_name: str
    kind: str
    level: str
    since: str
    peak: float | None

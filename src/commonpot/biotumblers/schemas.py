"""Biotumbler API bodies and responses (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProbeIn(_In):
    """A temperature probe and where it sits in the drum."""

    name: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    position: str = Field(default="", max_length=120)


class DeviceIn(_In):
    """A biotumbler to register: its id, name, place on the map and probes."""

    device: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(default="", max_length=120)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    probes: list[ProbeIn] = Field(default_factory=list, max_length=16)


class BatchIn(_In):
    """A new batch: when it started and what went in (kg)."""

    started_at: datetime | None = None
    kitchen_kg: float = Field(default=0.0, ge=0, le=100_000)
    garden_kg: float = Field(default=0.0, ge=0, le=100_000)
    browns_kg: float = Field(default=0.0, ge=0, le=100_000)
    note: str = Field(default="", max_length=300)


class DeviceOut(BaseModel):
    """A device with the spec's assessment keys (as `biotumbler assess` prints them)."""

    device: str
    name: str
    lat: float | None
    lon: float | None
    probes: list[dict[str, Any]]
    mqtt_state: str
    last_reading_at: str | None
    readings: int
    rejected: int
    sanitised: bool
    sanitised_at: str | None
    longest_hot_hours: float
    hot_since: str | None
    phase: str
    alerts: list[dict[str, Any]]


class RegisteredOut(BaseModel):
    """A registered device and its ingest token, shown this once."""

    device: str
    token: str


class TokenOut(BaseModel):
    """A fresh ingest token, shown this once."""

    token: str


class RejectedOut(BaseModel):
    """A reading that was not stored, and why."""

    index: int
    reason: str


class IngestOut(BaseModel):
    """How many readings were stored and which were rejected."""

    accepted: int
    rejected: list[RejectedOut]


class BatchOut(BaseModel):
    """A batch with the assessment of its readings."""

    id: int
    started_at: datetime
    ended_at: datetime | None
    kitchen_kg: float
    garden_kg: float
    browns_kg: float
    note: str
    assessment: dict[str, Any]

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
    expected_every_minutes: int = Field(default=30, ge=1, le=1440)


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
    expected_every_minutes: int
    open_episodes: list[dict[str, Any]]


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
    compost_kg: float | None = None
    place_id: int | None = None
    offer_id: int | None = None
    delivered_at: datetime | None = None


class EpisodeOut(BaseModel):
    """A stored alert episode: the spec's keys plus its worst value and whether it was told."""

    device: str
    id: int
    kind: str
    level: str
    from_: str = Field(alias="from")
    to: str | None
    peak: float | None
    notified: bool

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class UnknownOut(BaseModel):
    """An unregistered device id that sent messages to this community (stewards)."""

    device: str
    messages: int
    first_seen: datetime
    last_seen: datetime


class UnknownDevicesOut(BaseModel):
    """Messages for unregistered device ids: dropped, never stored, counted here."""

    total: int
    devices: list[UnknownOut]


class CompostOfferIn(_In):
    """Offer a finished, sanitised batch's compost to the network (at the drum by default)."""

    compost_kg: float = Field(gt=0, le=100_000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class CompostDeliveryIn(_In):
    """Record a finished, sanitised batch's compost delivered to a dome (a community place)."""

    place_id: int = Field(ge=1)
    compost_kg: float = Field(gt=0, le=100_000)


class OfferOut(BaseModel):
    """The network offer created for the compost."""

    id: int
    category: str
    quantity: int
    lat: float
    lon: float
    description: str

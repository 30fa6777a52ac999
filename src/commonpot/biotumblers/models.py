"""Biotumbler tables: devices, batches, readings (one row per device and time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commonpot.db import Base, utcnow


class Biotumbler(Base):
    """An in-vessel composter with probes, owned by a community; its token is kept hashed."""

    __tablename__ = "biotumbler_devices"
    __table_args__ = (UniqueConstraint("community_id", "device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    device: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    # each probe: its name (as in readings) and where it sits in the drum
    probes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mqtt_state: Mapped[str] = mapped_column(String(16), default="unknown")
    mqtt_state_at: Mapped[datetime | None] = mapped_column(default=None)
    last_reading_at: Mapped[datetime | None] = mapped_column(default=None)
    rejected: Mapped[int] = mapped_column(default=0)
    last_rejection: Mapped[str] = mapped_column(String(300), default="")
    # the device should report at least this often; longer silences open a `silent` episode
    expected_every_s: Mapped[int] = mapped_column(default=1800, server_default="1800")
    # the latest end of a batch whose verdict is kept: older readings arriving re-judge it
    sealed_until: Mapped[datetime | None] = mapped_column(default=None)
    # counts every write of readings (and retention): what pages may cache their verdicts by
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Batch(Base):
    """One fill of a biotumbler: started, its inputs in kg, ended when emptied."""

    __tablename__ = "biotumbler_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(
        ForeignKey("biotumbler_devices.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    kitchen_kg: Mapped[float] = mapped_column(default=0.0)
    garden_kg: Mapped[float] = mapped_column(default=0.0)
    browns_kg: Mapped[float] = mapped_column(default=0.0)
    note: Mapped[str] = mapped_column(String(300), default="")
    # the finished compost: how much came out, where it went (a dome), the network offer
    compost_kg: Mapped[float | None] = mapped_column(default=None)
    place_id: Mapped[int | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), default=None
    )
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_offers.id", ondelete="SET NULL"), default=None
    )
    # an ended batch's assessment, kept (pages need not read its readings; it outlives them)
    verdict: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class Reading(Base):
    """One reading; a later one with the same device and time replaces it (upsert)."""

    __tablename__ = "biotumbler_readings"
    __table_args__ = (UniqueConstraint("device_id", "t"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("biotumbler_devices.id", ondelete="CASCADE"))
    t: Mapped[datetime]
    temperature_c: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    moisture_pct: Mapped[float | None] = mapped_column(default=None)
    oxygen_pct: Mapped[float | None] = mapped_column(default=None)
    turned: Mapped[bool] = mapped_column(default=False)


class Rollup(Base):
    """Min/avg/max per probe over one minute or one hour of a device's readings (kept forever)."""

    __tablename__ = "biotumbler_rollups"
    __table_args__ = (UniqueConstraint("device_id", "width_s", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("biotumbler_devices.id", ondelete="CASCADE"))
    width_s: Mapped[int]
    start: Mapped[datetime]
    # for each probe: its min, mean, max and how many values
    probes: Mapped[dict[str, list[float]]] = mapped_column(JSON, default=dict)
    moisture_pct: Mapped[float | None] = mapped_column(default=None)
    oxygen_pct: Mapped[float | None] = mapped_column(default=None)
    turned: Mapped[bool] = mapped_column(default=False)
    readings: Mapped[int] = mapped_column(default=0)
    # how many values the moisture and oxygen means hold (so buckets merge exactly)
    moisture_n: Mapped[int] = mapped_column(default=0, server_default="0")
    oxygen_n: Mapped[int] = mapped_column(default=0, server_default="0")


class AlertEpisode(Base):
    """One stored alert episode: opened once (stewards are told), closed when it clears."""

    __tablename__ = "biotumbler_alerts"
    __table_args__ = (
        UniqueConstraint("device_id", "kind", "level", "started_at"),
        Index("ix_biotumbler_alerts_device_open", "device_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("biotumbler_devices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    # the worst value seen: °C (overheat, stalled), % (moisture), minutes (silent)
    peak: Mapped[float | None] = mapped_column(default=None)
    notified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnknownDevice(Base):
    """Messages for a device id nobody registered in this community: counted, never stored."""

    __tablename__ = "biotumbler_unknown_devices"
    __table_args__ = (UniqueConstraint("community_id", "device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    device: Mapped[str] = mapped_column(String(64))
    messages: Mapped[int] = mapped_column(default=0)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)

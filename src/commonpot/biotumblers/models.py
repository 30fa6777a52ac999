"""Biotumbler tables: devices, batches, readings (one row per device and time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
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

"""Network tables: foraging patches and harvests, offers and needs, allocation runs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commonpot.db import Base, utcnow


class OfferStatus(enum.StrEnum):
    """Lifecycle of an offer: open until withdrawn or fully allocated."""

    OPEN = "open"
    ALLOCATED = "allocated"
    WITHDRAWN = "withdrawn"


class NeedStatus(enum.StrEnum):
    """Lifecycle of a need: open until withdrawn or fully served."""

    OPEN = "open"
    FILLED = "filled"
    WITHDRAWN = "withdrawn"


class RunStatus(enum.StrEnum):
    """An allocation run is proposed, then committed (once) or discarded."""

    DRAFT = "draft"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class ForagingPatch(Base):
    """A wild or shared patch where food is gathered, with its sustainable yield per season."""

    __tablename__ = "network_patches"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    species: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float]
    lon: Mapped[float]
    sustainable_yield_kg: Mapped[float] = mapped_column(default=0.0)  # per season
    season_start_month: Mapped[int] = mapped_column(default=1)
    notes: Mapped[str] = mapped_column(Text, default="")
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Harvest(Base):
    """One harvest from a patch, logged against the patch's sustainable yield."""

    __tablename__ = "network_harvests"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    patch_id: Mapped[int] = mapped_column(
        ForeignKey("network_patches.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    quantity_kg: Mapped[float]
    harvested_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(300), default="")


class PriorityGroup(Base):
    """A group the community serves first (elders, an enclave): its priority weight."""

    __tablename__ = "network_priority_groups"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    priority: Mapped[float] = mapped_column(default=1.0)
    description: Mapped[str] = mapped_column(String(300), default="")


class Offer(Base):
    """Food someone offers: `allocated` never exceeds `quantity` (checked in the database)."""

    __tablename__ = "network_offers"
    __table_args__ = (
        CheckConstraint("allocated >= 0 AND allocated <= quantity", name="allocated_within"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    category: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300), default="")
    quantity: Mapped[int]
    allocated: Mapped[int] = mapped_column(default=0)
    lat: Mapped[float]
    lon: Mapped[float]
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default=OfferStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Need(Base):
    """Food someone needs: `received` never exceeds `quantity` (checked in the database)."""

    __tablename__ = "network_needs"
    __table_args__ = (
        CheckConstraint("received >= 0 AND received <= quantity", name="received_within"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    category: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300), default="")
    quantity: Mapped[int]
    received: Mapped[int] = mapped_column(default=0)
    lat: Mapped[float]
    lon: Mapped[float]
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_priority_groups.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(16), default=NeedStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AllocationRun(Base):
    """A proposed plan with its fairness report; committing it moves the food, once."""

    __tablename__ = "network_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    objective: Mapped[str] = mapped_column(String(16), default="default")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    baseline_metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(default=None)


class Assignment(Base):
    """One line of a run: units of an offer for a need, and who picks them up."""

    __tablename__ = "network_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int] = mapped_column(
        ForeignKey("network_runs.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(ForeignKey("network_offers.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("network_needs.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    distance_km: Mapped[float] = mapped_column(default=0.0)
    pickup_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    picked_up_at: Mapped[datetime | None] = mapped_column(default=None)

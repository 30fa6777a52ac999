"""Ecology tables: crop taxonomy, plantings (the inventory), seed bank, assessments, crop plans."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonpot.communities import Place
from commonpot.db import Base, utcnow


class PlanStatus(enum.StrEnum):
    """A crop-sharing plan is drafted, then adopted by a proposal (once) or set aside."""

    DRAFT = "draft"
    ADOPTED = "adopted"
    DISCARDED = "discarded"


class Crop(Base):
    """A crop the community grows or keeps seed of, with its place in the taxonomy."""

    __tablename__ = "eco_crops"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    common_name: Mapped[str] = mapped_column(String(120), default="")
    genus: Mapped[str] = mapped_column(String(80), default="")
    family: Mapped[str] = mapped_column(String(80), default="")
    climates: Mapped[list[str]] = mapped_column(JSON, default=list)
    seeds_per_m2: Mapped[float | None] = mapped_column(default=None)


class Planting(Base):
    """Area of one crop (and variety) growing in a plot of a place: one line of the inventory."""

    __tablename__ = "eco_plantings"
    __table_args__ = (CheckConstraint("area_m2 >= 0", name="eco_planting_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    crop_id: Mapped[int] = mapped_column(ForeignKey("eco_crops.id", ondelete="CASCADE"), index=True)
    plot: Mapped[str] = mapped_column(String(80), default="")
    variety: Mapped[str] = mapped_column(String(120), default="")
    area_m2: Mapped[float]
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("eco_crop_plans.id", ondelete="SET NULL"), default=None
    )
    planted_at: Mapped[datetime] = mapped_column(default=utcnow)

    crop: Mapped[Crop] = relationship(lazy="joined")
    place: Mapped[Place] = relationship(lazy="joined")


class SeedLot(Base):
    """Seed kept in the community's bank (or held by a place), in m² it can sow or in seeds."""

    __tablename__ = "eco_seed_lots"
    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        CheckConstraint("quantity >= 0", name="eco_seed_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    crop_id: Mapped[int] = mapped_column(ForeignKey("eco_crops.id", ondelete="CASCADE"), index=True)
    variety: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[float]
    unit: Mapped[str] = mapped_column(String(8), default="m2")
    holder_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), default=None
    )
    saved_year: Mapped[int | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(300), default="")

    crop: Mapped[Crop] = relationship(lazy="joined")


class Assessment(Base):
    """A before/after impact assessment of the community's places, with its report."""

    __tablename__ = "eco_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    gamed: Mapped[bool] = mapped_column(default=False)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("gov_proposals.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CropPlan(Base):
    """A crop-sharing plan from the optimiser: moves plus diversity before and after."""

    __tablename__ = "eco_crop_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.DRAFT.value)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    moves: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    adopted_at: Mapped[datetime | None] = mapped_column(default=None)
    summary: Mapped[str] = mapped_column(Text, default="")

"""Network tables: foraging patches and harvests, offers and needs, allocation runs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    false as sa_false,
)
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


class HandoverState(enum.StrEnum):
    """The last mile of one assignment: proposed, confirmed, (picked up), handed over.

    Declined (by the recipient) and expired (window missed, food spoiled) hand the units
    back for a follow-up allocation.
    """

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    PICKED_UP = "picked_up"
    HANDED_OVER = "handed_over"
    DECLINED = "declined"
    EXPIRED = "expired"


OPEN_HANDOVER_STATES = (
    HandoverState.PROPOSED.value,
    HandoverState.CONFIRMED.value,
    HandoverState.PICKED_UP.value,
)
CLOSED_UNHANDED = (HandoverState.DECLINED.value, HandoverState.EXPIRED.value)
DEFAULT_UNIT = "portions"


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
        # the sharing page: the newest open ones, of one kind, and the kinds (offers.open_shown)
        Index("ix_network_offers_open", "community_id", "status", "id"),
        Index("ix_network_offers_open_kind", "community_id", "status", "category", "id"),
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
    unit: Mapped[str] = mapped_column(String(20), default=DEFAULT_UNIT, server_default=DEFAULT_UNIT)
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
        Index("ix_network_needs_open", "community_id", "status", "id"),
        Index("ix_network_needs_open_kind", "community_id", "status", "category", "id"),
        Index("ix_network_needs_own", "community_id", "user_id", "status", "id"),
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
    unit: Mapped[str] = mapped_column(String(20), default=DEFAULT_UNIT, server_default=DEFAULT_UNIT)
    received: Mapped[int] = mapped_column(default=0)
    lat: Mapped[float]
    lon: Mapped[float]
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_priority_groups.id", ondelete="SET NULL"), default=None
    )
    # what the person chose to tell stewards (codes of `circumstances.CIRCUMSTANCES` and a
    # note), and whether they agree to be placed in a priority group: only the person and
    # the community's stewards ever see these
    circumstances: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    circumstances_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    priority_consent: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
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


class Handover(Base):
    """One assignment of a committed run as it happens: what, from whom, to whom, where, when."""

    __tablename__ = "network_handovers"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("window_end > window_start", name="window_ordered"),
        Index("ix_network_handovers_community_state", "community_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int] = mapped_column(
        ForeignKey("network_runs.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("network_assignments.id", ondelete="CASCADE"), unique=True
    )
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("network_offers.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int] = mapped_column(
        ForeignKey("network_needs.id", ondelete="CASCADE"), index=True
    )
    donor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    category: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20), default=DEFAULT_UNIT)
    quantity: Mapped[int]
    lat: Mapped[float]
    lon: Mapped[float]
    place_note: Mapped[str] = mapped_column(String(200), default="")
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default=HandoverState.PROPOSED.value)
    # declined/expired units given back to the offer, and re-assigned by a follow-up run
    returned: Mapped[bool] = mapped_column(default=False)
    reallocated_in: Mapped[int | None] = mapped_column(
        ForeignKey("network_runs.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    picked_up_at: Mapped[datetime | None] = mapped_column(default=None)
    handed_over_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class VolunteerSlot(Base):
    """A volunteer's offer to drive: a time slot, a vehicle capacity and a start point."""

    __tablename__ = "network_volunteer_slots"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="slot_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None, index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    lat: Mapped[float]
    lon: Mapped[float]
    route: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

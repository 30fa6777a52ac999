"""What the network domain tells others happened (typed events; `commonpot.signals`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NeedMatched:
    """A committed allocation run gave food to someone's need."""

    community_id: int
    run_id: int
    need_id: int
    user_id: int
    category: str
    quantity: int
    where: str


@dataclass(frozen=True)
class OfferAllocated:
    """A committed allocation run gave away (part of) someone's offer."""

    community_id: int
    run_id: int
    offer_id: int
    user_id: int
    category: str
    quantity: int


@dataclass(frozen=True)
class AllocationCommitted:
    """A run was committed: whose needs were matched and whose offers were given."""

    community_id: int
    run_id: int
    needs: tuple[NeedMatched, ...]
    offers: tuple[OfferAllocated, ...]


@dataclass(frozen=True)
class HandoverChanged:
    """A handover moved a step (confirmed, window, volunteer, picked_up, handed_over,
    declined, expired): who should hear of it."""

    community_id: int
    handover_id: int
    step: str
    recipient_id: int | None
    donor_id: int | None
    volunteer_id: int | None
    category: str
    quantity: int
    unit: str
    window_start: datetime

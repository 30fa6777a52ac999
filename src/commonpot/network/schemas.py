"""Network API bodies and responses (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from commonpot.fields import Moment


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfferIn(_In):
    """Food to offer at a place, optionally until it spoils."""

    category: str = Field(min_length=1, max_length=60)
    quantity: int = Field(ge=1, le=100_000)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    description: str = Field(default="", max_length=300)
    expires_at: datetime | None = None
    unit: str = Field(default="", max_length=20, description="kg, jars, meals... (portions)")


class NeedIn(_In):
    """Food needed at a place, optionally in a priority group."""

    category: str = Field(min_length=1, max_length=60)
    quantity: int = Field(ge=1, le=100_000)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    description: str = Field(default="", max_length=300)
    group_id: int | None = Field(
        default=None, description="stewards only, and only with the person's consent"
    )
    unit: str = Field(default="", max_length=20, description="kg, jars, meals... (portions)")
    circumstances: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="children, elder, no_income, disability, illness (seen by stewards only)",
    )
    circumstances_note: str = Field(default="", max_length=500)
    priority_consent: bool = Field(
        default=False, description="I agree that stewards place this need in a priority group"
    )


class CircumstancesIn(_In):
    """What the person who asked states about their circumstances, and their consent."""

    circumstances: list[str] = Field(default_factory=list, max_length=10)
    circumstances_note: str = Field(default="", max_length=500)
    priority_consent: bool = False


class NeedGroupIn(_In):
    """The priority group a steward chooses for a need (null: none)."""

    group_id: int | None = None


class OfferOut(BaseModel):
    """An offer and how much of it is already allocated."""

    id: int
    category: str
    description: str
    quantity: int
    unit: str
    allocated: int
    lat: float
    lon: float
    expires_at: datetime | None
    status: str


class NeedOut(BaseModel):
    """A need and how much of it is already served."""

    id: int
    category: str
    description: str
    quantity: int
    unit: str
    received: int
    lat: float
    lon: float
    group_id: int | None
    status: str
    circumstances: list[str] = Field(default_factory=list)
    circumstances_note: str = ""
    priority_consent: bool = False


class GroupIn(_In):
    """A priority group: who is served first, with weight >= 1."""

    name: str = Field(min_length=1, max_length=60)
    priority: float = Field(ge=1, le=100)
    description: str = Field(default="", max_length=300)


class GroupOut(BaseModel):
    """A priority group (its weight is shown to stewards only)."""

    id: int
    name: str
    priority: float | None
    description: str


class PatchIn(_In):
    """A foraging patch (saved by name: the same name updates it)."""

    name: str = Field(min_length=1, max_length=120)
    species: str = Field(min_length=1, max_length=120)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    sustainable_yield_kg: float = Field(ge=0, le=1e6)
    season_start_month: int = Field(default=1, ge=1, le=12)
    notes: str = Field(default="", max_length=2000)


class PatchOut(BaseModel):
    """A patch with what was harvested this season."""

    id: int
    name: str
    species: str
    lat: float
    lon: float
    sustainable_yield_kg: float
    season_start_month: int
    harvested_this_season_kg: float
    notes: str


class HarvestIn(_In):
    """A harvest to log against the patch's sustainable yield."""

    quantity_kg: float = Field(gt=0, le=1e5)
    note: str = Field(default="", max_length=300)


class HarvestOut(BaseModel):
    """One logged harvest."""

    id: int
    patch_id: int
    quantity_kg: float
    harvested_at: datetime
    note: str


class RunIn(_In):
    """Propose an allocation: objective and optional instance params."""

    objective: str = Field(default="default", pattern="^(default|min-fill|fcfs)$")
    params: dict[str, Any] = Field(default_factory=dict)


class AssignmentOut(BaseModel):
    """A line of a run: units of an offer for a need, and its carrier."""

    id: int
    offer_id: int
    need_id: int
    quantity: int
    distance_km: float
    pickup_user_id: int | None
    picked_up_at: datetime | None


class RunOut(BaseModel):
    """An allocation run with its metrics and FCFS baseline metrics."""

    id: int
    objective: str
    status: str
    params: dict[str, Any]
    metrics: dict[str, Any]
    baseline_metrics: dict[str, Any]
    created_at: datetime
    committed_at: datetime | None
    assignments: list[AssignmentOut]


class PickupIn(_In):
    """Who carries the line (yourself when absent)."""

    user_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class WindowIn(_In):
    """A pickup window the recipient chooses (both ends, or none to keep the proposed one)."""

    window_start: Moment | None = None
    window_end: Moment | None = None


class HandoverOut(BaseModel):
    """One handover: what, from whom, to whom, where, when, and how far it got."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    run_id: int
    state: str
    category: str
    unit: str
    quantity: int
    lat: float
    lon: float
    place_note: str
    window_start: datetime
    window_end: datetime
    donor_id: int | None
    recipient_id: int | None
    volunteer_id: int | None
    confirmed_at: datetime | None
    picked_up_at: datetime | None
    handed_over_at: datetime | None

"""Events API shapes: inputs are strict and bounded, outputs say what a page shows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from commonpot.fields import Moment

Short = Annotated[str, Field(max_length=120)]


class RoleIn(BaseModel):
    """A role wanted at the event, and how many people are wanted in it (optional)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    wanted: int | None = None


class EventIn(BaseModel):
    """A new event or class. Times without an offset are read in `timezone`."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=160)
    starts_at: Moment
    ends_at: Moment
    timezone: str = Field(default="UTC", max_length=64)
    kind: str = Field(default="event", max_length=16)
    description: str = Field(default="", max_length=10_000)
    place_id: int | None = None
    location_note: str = Field(default="", max_length=200)
    capacity: int | None = None
    roles: list[RoleIn] = Field(default_factory=list, max_length=20)
    visibility: str = Field(default="community", max_length=16)
    accessibility: str = Field(default="", max_length=2_000)
    languages: str = Field(default="", max_length=120)
    rrule: str | None = Field(default=None, max_length=300)


class EventPatch(BaseModel):
    """Changes to an event; only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=160)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    timezone: str | None = Field(default=None, max_length=64)
    kind: str | None = Field(default=None, max_length=16)
    description: str | None = Field(default=None, max_length=10_000)
    place_id: int | None = None
    location_note: str | None = Field(default=None, max_length=200)
    capacity: int | None = None
    roles: list[RoleIn] | None = Field(default=None, max_length=20)
    visibility: str | None = Field(default=None, max_length=16)
    accessibility: str | None = Field(default=None, max_length=2_000)
    languages: str | None = Field(default=None, max_length=120)
    rrule: str | None = Field(default=None, max_length=300)


class PlaceRef(BaseModel):
    """Where the event happens."""

    id: int
    name: str
    lat: float
    lon: float


class EventOut(BaseModel):
    """An event as the API shows it; `starts_local` is the start in the event's zone."""

    id: int
    uid: str
    kind: str
    title: str
    description: str
    place: PlaceRef | None
    location_note: str
    starts_at: datetime
    ends_at: datetime
    starts_local: str
    timezone: str
    capacity: int | None
    roles: list[dict[str, Any]]
    visibility: str
    accessibility: str
    languages: list[str]
    rrule: str | None
    status: str
    confirmed: int
    waitlisted: int
    url: str
    ics_url: str
    learners_per_elder: int = Field(description="The class size for pairs: learners per elder")


class RegistrationIn(BaseModel):
    """Signing up: the role, and recipes you can teach (teachers) or want to learn (learners)."""

    model_config = ConfigDict(extra="forbid")

    role: str | None = Field(default=None, max_length=40)
    recipes: list[Short] = Field(default_factory=list, max_length=20)
    note: str = Field(default="", max_length=300)


class RegistrationOut(BaseModel):
    """A sign-up."""

    user_id: int
    name: str
    role: str
    status: str
    recipes: list[str]
    queued_at: datetime
    promoted_at: datetime | None


class WithdrawOut(BaseModel):
    """A withdrawn sign-up and who moved up from the waitlist."""

    withdrawn: RegistrationOut
    promoted: list[RegistrationOut]


class SessionOut(BaseModel):
    """One session of an event, with who attended (for organisers)."""

    id: int
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    attended: list[int] | None = None


class CheckInIn(BaseModel):
    """Who arrived, and at which session (today's by default)."""

    model_config = ConfigDict(extra="forbid")

    user_id: int
    session_id: int | None = None


class AttendanceOut(BaseModel):
    """A check-in."""

    user_id: int
    session_id: int
    checked_in_at: datetime


class MenuItemIn(BaseModel):
    """A recipe from the archive to cook."""

    model_config = ConfigDict(extra="forbid")

    recipe_id: int


class MenuItemOut(BaseModel):
    """A dish on the menu."""

    id: int
    recipe_id: int
    title: str


class ShoppingLineOut(BaseModel):
    """One thing to buy."""

    food: str
    display: str
    quantity: float | None
    unit: str | None
    note: str | None
    recipes: list[str]
    in_hand: bool


class ShoppingOut(BaseModel):
    """The aggregated shopping list for the head count."""

    head_count: int
    servings: int
    explanation: str | None
    lines: list[ShoppingLineOut]


class PantryIn(BaseModel):
    """Foods already in hand (they are not asked for as needs)."""

    model_config = ConfigDict(extra="forbid")

    foods: list[Short] = Field(default_factory=list, max_length=200)


class NeedPostedOut(BaseModel):
    """A need posted to the redistribution network."""

    food: str
    need_id: int | None


class PersonRef(BaseModel):
    """Someone in a pairing."""

    id: int
    name: str


class PairOut(BaseModel):
    """A teacher–learner pair and why."""

    teacher: PersonRef
    learner: PersonRef
    score: float
    pinned: bool
    reasons: list[str]


class ClassSizeIn(BaseModel):
    """How many learners each elder takes when the class is paired (1 to 20)."""

    model_config = ConfigDict(extra="forbid")

    learners_per_elder: int = Field(strict=True, description="Learners per elder, 1 to 20")


class PairRuleIn(BaseModel):
    """Pin (must pair) or forbid (must not pair) a teacher with a learner."""

    model_config = ConfigDict(extra="forbid")

    teacher_id: int
    learner_id: int
    rule: str = Field(max_length=8)


class PairRuleOut(BaseModel):
    """A steward's pairing rule."""

    id: int
    teacher_id: int
    learner_id: int
    rule: str


class PairingOut(BaseModel):
    """The optimal pairing."""

    pairs: list[PairOut]
    unpaired_teachers: list[PersonRef]
    unpaired_learners: list[PersonRef]
    total: float
    rules: list[PairRuleOut]
    learners_per_elder: int = Field(description="The class size the pairing was made for")


class OutreachOut(BaseModel):
    """One place where a class would reach people with poor food access."""

    rank: int
    home: str
    home_id: int
    population: int | None
    access_km: float | None
    nearest_source: str | None
    venue: str | None
    venue_id: int | None
    venue_km: float | None
    score: float
    reason: str
    analysis: str


class CalendarOut(BaseModel):
    """The secret address of your personal calendar feed."""

    url: str


class AttendanceSummaryOut(BaseModel):
    """How often someone came to the community's events."""

    user_id: int
    name: str
    sessions: int
    last: datetime

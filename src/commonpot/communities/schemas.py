"""Communities API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from commonpot.accounts import UserOut

PlaceKindName = Literal[
    "enclave", "biodome", "garden", "kitchen", "market", "plaza", "household", "site"
]
PLACE_KINDS: tuple[str, ...] = get_args(PlaceKindName)


class CommunityOut(BaseModel):
    """A community's public profile."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    description: str
    location: str
    lat: float | None = None
    lon: float | None = None
    visibility: str
    created_at: datetime


class CommunityIn(BaseModel):
    """A new community (instance administrators)."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=5000)
    location: str = Field(default="", max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    visibility: Literal["public", "private"] = "public"


class CommunityPatch(BaseModel):
    """Changes to a community's profile (stewards)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=5000)
    location: str | None = Field(default=None, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    visibility: Literal["public", "private"] | None = None
    timezone: str | None = Field(
        default=None, max_length=60, description="IANA time zone, e.g. Europe/London"
    )


class MemberOut(BaseModel):
    """A member and their role."""

    model_config = ConfigDict(from_attributes=True)

    user: UserOut
    role: str
    joined_at: datetime


class RoleIn(BaseModel):
    """A member's new role."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["member", "steward", "custodian"]


class InvitationIn(BaseModel):
    """A new invitation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["member", "steward", "custodian"] = "member"
    email: str | None = Field(default=None, max_length=254)
    note: str = Field(default="", max_length=200)
    days: int = Field(default=14, ge=1, le=90)

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        address = value.strip().lower() if value and value.strip() else None
        if address is not None and "@" not in address:
            raise ValueError("Enter a valid e-mail address, or leave it empty.")
        return address

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return value.strip()


class InvitationOut(BaseModel):
    """An invitation; `url` (with its secret) only when just created."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    email: str | None = None
    note: str
    expires_at: datetime
    url: str | None = None


class AcceptIn(BaseModel):
    """Accept an invitation as the signed-in person."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)


PLACE_NAME = "Give the place a name of 1 to 120 characters."
ON_THE_MAP = "Put the place on the map: latitude and longitude are needed."
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Area = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]


class _PlaceRules(BaseModel):
    """What makes a place's fields right, for a new place and for changes alike."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("name", mode="before", check_fields=False)
    @classmethod
    def _name(cls, value: object) -> str:
        # text only: a number, list or object is not a name (str() would store its repr)
        name = value.strip() if isinstance(value, str) else ""
        if not name or len(name) > 120 or any("\ud800" <= c <= "\udfff" for c in name):
            raise ValueError(PLACE_NAME)
        return name

    @field_validator("description", "climate_class", mode="before", check_fields=False)
    @classmethod
    def _text(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("kind", mode="before", check_fields=False)
    @classmethod
    def _kind(cls, value: object) -> object:
        if value not in PLACE_KINDS:
            raise ValueError(f"Kind is one of: {', '.join(PLACE_KINDS)}.")
        return value

    @model_validator(mode="after")
    def _on_the_map(self) -> Self:
        given = self.model_fields_set & {"lat", "lon"}
        if given and (getattr(self, "lat", None) is None or getattr(self, "lon", None) is None):
            problem = PydanticCustomError("value_error", ON_THE_MAP)
            details = InitErrorDetails(type=problem, loc=("lat",), input=None)
            raise ValidationError.from_exception_data(type(self).__name__, [details])
        return self


class PlaceIn(_PlaceRules):
    """A new place on the community's map."""

    name: str
    kind: PlaceKindName = "site"
    description: str = Field(default="", max_length=5000)
    lat: Latitude
    lon: Longitude
    climate_class: str | None = Field(default=None, max_length=40)
    area_m2: Area | None = None
    population: int | None = Field(default=None, ge=0, le=10**9)


class PlacePatch(_PlaceRules):
    """Changes to a place; latitude and longitude change together."""

    name: str | None = None
    kind: PlaceKindName | None = None
    description: str | None = Field(default=None, max_length=5000)
    lat: Latitude | None = None
    lon: Longitude | None = None
    climate_class: str | None = Field(default=None, max_length=40)
    area_m2: Area | None = None
    population: int | None = Field(default=None, ge=0, le=10**9)


class PlaceOut(BaseModel):
    """A place in a community."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    description: str
    lat: float
    lon: float
    climate_class: str | None = None
    area_m2: float | None = None
    population: int | None = None

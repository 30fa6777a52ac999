"""Ecology API bodies and responses (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from commonpot.errors import invalid_from

CSV_LIMIT = 2_000_000
MAX_ID = 2**31 - 1  # ids fit a database integer column
Climate = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


M = TypeVar("M", bound=BaseModel)
_NUMBER_ERRORS = dict.fromkeys(
    ("float_parsing", "float_type", "int_parsing", "int_type", "finite_number"), "must be a number"
)


def read_in(model: type[M], values: dict[str, Any]) -> M:
    """Typed input from a form or the command line; the first problem names its field.

    A text field left empty takes the model's default (or is missing, if required); keys
    the model does not know (a form's CSRF token) are left out.
    """
    given = {
        k: v
        for k, v in values.items()
        if k in model.model_fields and not (isinstance(v, str) and not v.strip())
    }
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise invalid_from(exc, say=_NUMBER_ERRORS) from None


class _In(BaseModel):
    """Input of a use case, the same from JSON, a web form or the command line."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class CropIn(_In):
    """A crop in the taxonomy (created or updated by name)."""

    name: str = Field(min_length=1, max_length=120)
    common_name: str = Field(default="", max_length=120)
    genus: str = Field(default="", max_length=80)
    family: str = Field(default="", max_length=80)
    climates: list[Climate] = Field(default_factory=list, max_length=20)
    seeds_per_m2: float | None = Field(default=None, gt=0, le=1e7)

    @field_validator("climates", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """A form sends the climates as one comma-separated line."""
        if isinstance(value, str):
            return [c for c in value.split(",") if c.strip()]
        if isinstance(value, list):
            return [c for c in value if not isinstance(c, str) or c.strip()]
        return value


class CropOut(BaseModel):
    """A crop and the climates it grows in."""

    id: int
    name: str
    common_name: str
    genus: str
    family: str
    climates: list[str]
    seeds_per_m2: float | None


class PlantingIn(_In):
    """Area of a crop planted in a biodome or garden."""

    place_id: int = Field(ge=1, le=MAX_ID)
    crop: str = Field(min_length=1, max_length=120)
    area_m2: float = Field(ge=0, le=1e8)
    variety: str = Field(default="", max_length=120)
    plot: str = Field(default="", max_length=80)


class PlantingOut(BaseModel):
    """One line of the inventory."""

    id: int
    place_id: int
    place: str
    crop: str
    variety: str
    plot: str
    area_m2: float
    plan_id: int | None


class SeedLotIn(_In):
    """Seed put in the bank, in m² it can sow or in seeds."""

    code: str = Field(min_length=1, max_length=40)
    crop: str = Field(min_length=1, max_length=120)
    quantity: float = Field(ge=0, le=1e12)
    unit: str = Field(default="m2", pattern="^(m2|seeds)$")
    variety: str = Field(default="", max_length=120)
    holder_place_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    saved_year: int | None = Field(default=None, ge=1800, le=2200)
    note: str = Field(default="", max_length=300)


class SeedLotOut(BaseModel):
    """A seed lot and what is left of it."""

    id: int
    code: str
    crop: str
    variety: str
    quantity: float
    unit: str
    holder_place_id: int | None
    saved_year: int | None


class AssessmentIn(_In):
    """An "after" inventory (COUNTS.csv text) to compare with the current one (or `before_csv`)."""

    title: str = Field(min_length=3, max_length=200)
    after_csv: str = Field(min_length=1, max_length=CSV_LIMIT)
    before_csv: str | None = Field(default=None, max_length=CSV_LIMIT)


class AttachIn(_In):
    """The number of the proposal to attach an assessment to."""

    proposal_number: int = Field(ge=1)


class AssessmentOut(BaseModel):
    """An assessment with its full report and whether it looks gamed."""

    id: int
    title: str
    gamed: bool
    proposal_number: int | None
    created_at: datetime
    report: dict[str, Any]


class PlanIn(_In):
    """Options for the crop-sharing optimiser."""

    min_plot_area: float = Field(default=1.0, ge=0, le=10_000)
    gamma_floor: float | None = Field(default=None, ge=0, le=100_000)


class PlanOut(BaseModel):
    """A crop-sharing plan: moves and diversity before and after."""

    id: int
    status: str
    summary: str
    params: dict[str, Any]
    moves: list[dict[str, Any]]
    before: dict[str, Any]
    after: dict[str, Any]
    notes: list[str]
    created_at: datetime
    adopted_at: datetime | None

"""Field checks shared by the network's use cases (one message per field, as the API names it)."""

from __future__ import annotations

import math

from commonpot.errors import Invalid

MAX_QUANTITY = 100_000


def quantity(value: int, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise Invalid(
            "%(where)s: must be a whole number from 1 to %(most)s",
            field=field,
            where=field,
            most=MAX_QUANTITY,
        )
    return value


def place(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise Invalid("lat: must be between -90 and 90", field="lat")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise Invalid("lon: must be between -180 and 180", field="lon")


def text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise Invalid("%(where)s: must not be empty", field=field, where=field)
    if len(value) > limit:
        raise Invalid(
            "%(where)s: at most %(limit)s characters", field=field, where=field, limit=limit
        )
    return value


UNITS = (
    "portions",
    "meals",
    "kg",
    "g",
    "litres",
    "jars",
    "bottles",
    "loaves",
    "bunches",
    "boxes",
    "bags",
    "pieces",
    "dozen",
)


def unit(value: str) -> str:
    """One of the named units (empty means portions)."""
    value = (value or "").strip().lower() or UNITS[0]
    if value not in UNITS:
        raise Invalid("unit: must be one of %(units)s", field="unit", units=", ".join(UNITS))
    return value

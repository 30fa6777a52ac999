"""Allocation instances: parse and validate the spec's JSON into plain arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from commonpot.errors import N_, Invalid
from commonpot.parsing import loads_json_bulk, read_bytes

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

OFFER_KEYS = frozenset({"id", "category", "quantity", "lat", "lon", "expires_in_hours"})
NEED_KEYS = frozenset({"id", "category", "quantity", "lat", "lon", "priority", "group"})
TOP_KEYS = frozenset({"offers", "needs", "params"})
MAX_QUANTITY = 10**12
MAX_SEGMENTS = 1000
# beyond these, weights and costs could overflow to inf/nan in the solver
MAX_PRIORITY = 1e6
MAX_HOURS = 1e9
MAX_DISTANCE_KM = 1e5
MAX_COST_PER_KM = 1e6


@dataclass(frozen=True)
class Params:
    """Tunable parameters of an instance, with the spec's defaults."""

    max_distance_km: float = 25.0
    speed_kmh: float = 20.0
    cost_per_km: float = 0.01
    segments: int = 3
    candidates_per_need: int = 0


@dataclass(frozen=True)
class Instance:
    """Offers and needs as column arrays; categories and groups as integer codes."""

    offer_ids: list[str]
    offer_category: IntArray
    offer_quantity: IntArray
    offer_lat: FloatArray
    offer_lon: FloatArray
    offer_expires_h: FloatArray  # +inf when the offer does not spoil
    need_ids: list[str]
    need_category: IntArray
    need_quantity: IntArray
    need_lat: FloatArray
    need_lon: FloatArray
    need_priority: FloatArray
    need_group: IntArray
    categories: list[str]
    groups: list[str]
    params: Params = field(default_factory=Params)

    @property
    def n_offers(self) -> int:
        """Number of offers."""
        return len(self.offer_ids)

    @property
    def n_needs(self) -> int:
        """Number of needs."""
        return len(self.need_ids)


def _fail(where: str, message: str, **parts: str | int | float) -> Invalid:
    """`message` a message id that starts with `%(where)s: `, worded where it is shown."""
    return Invalid(message, field=where, where=where, **parts)


def _number(value: object) -> float | None:
    """The value as a finite float, or None when it is not a JSON number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _positive_int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise _fail(where, N_("%(where)s: must be a positive integer"))
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(where, N_("%(where)s: must be a non-empty string"))
    return value


def _coordinate(value: object, where: str, limit: float) -> float:
    number = _number(value)
    if number is None or not -limit <= number <= limit:
        raise _fail(
            where,
            N_("%(where)s: must be a number between -%(limit)s and %(limit)s"),
            limit=limit,
        )
    return number


def _items(data: dict[str, Any], key: str, allowed: frozenset[str]) -> list[dict[str, Any]]:
    items = data.get(key)
    if items is None:
        raise _fail(key, N_("%(where)s: is required and must be a list"))
    if not isinstance(items, list):
        raise _fail(key, N_("%(where)s: must be a list"))
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _fail(f"{key}[{i}]", N_("%(where)s: must be an object"))
        extra = item.keys() - allowed
        if extra:
            raise _fail(f"{key}[{i}].{sorted(extra)[0]}", N_("%(where)s: unknown key"))
    return items


def _common(
    items: list[dict[str, Any]], key: str, categories: dict[str, int]
) -> tuple[list[str], IntArray, IntArray, FloatArray, FloatArray]:
    ids: list[str] = []
    seen: set[str] = set()
    cats = np.empty(len(items), dtype=np.int64)
    qty = np.empty(len(items), dtype=np.int64)
    lat = np.empty(len(items), dtype=np.float64)
    lon = np.empty(len(items), dtype=np.float64)
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        ident = _text(item.get("id"), f"{where}.id")
        if ident in seen:
            raise _fail(f"{where}.id", N_("%(where)s: duplicate id %(ident)s"), ident=repr(ident))
        seen.add(ident)
        ids.append(ident)
        category = _text(item.get("category"), f"{where}.category")
        cats[i] = categories.setdefault(category, len(categories))
        qty[i] = _positive_int(item.get("quantity"), f"{where}.quantity")
        lat[i] = _coordinate(item.get("lat"), f"{where}.lat", 90.0)
        lon[i] = _coordinate(item.get("lon"), f"{where}.lon", 180.0)
    return ids, cats, qty, lat, lon


def _param_number(key: str, value: object) -> float:
    where = f"params.{key}"
    number = _number(value)
    if key == "cost_per_km":
        if number is None or number < 0:
            raise _fail(where, N_("%(where)s: must be a number >= 0"))
        high = MAX_COST_PER_KM
    else:
        if number is None or number <= 0:
            raise _fail(where, N_("%(where)s: must be a positive number"))
        high = MAX_DISTANCE_KM
    if number > high:
        raise _fail(where, N_("%(where)s: must be at most %(limit)s"), limit=high)
    return number


def _params(raw: object) -> Params:
    if raw is None:
        return Params()
    if not isinstance(raw, dict):
        raise _fail("params", N_("%(where)s: must be an object"))
    defaults = Params()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"params.{key}"
        if key in ("max_distance_km", "speed_kmh", "cost_per_km"):
            values[key] = _param_number(key, value)
        elif key == "segments":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 1 <= value <= MAX_SEGMENTS
            ):
                raise _fail(
                    where,
                    N_("%(where)s: must be an integer between 1 and %(most)s"),
                    most=MAX_SEGMENTS,
                )
            values[key] = value
        elif key == "candidates_per_need":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _fail(where, N_("%(where)s: must be an integer >= 0"))
            values[key] = value
        else:
            raise _fail(where, N_("%(where)s: unknown parameter"))
    return Params(**{**defaults.__dict__, **values})


def parse_instance(data: object) -> Instance:
    """Validate a decoded JSON instance; raise Invalid naming the first offending field."""
    if not isinstance(data, dict):
        raise Invalid("instance: must be a JSON object", field="instance")
    unknown = data.keys() - TOP_KEYS
    if unknown:
        raise _fail(sorted(unknown)[0], N_("%(where)s: unknown key"))
    offers = _items(data, "offers", OFFER_KEYS)
    needs = _items(data, "needs", NEED_KEYS)
    params = _params(data.get("params"))
    categories: dict[str, int] = {}
    o_ids, o_cat, o_qty, o_lat, o_lon = _common(offers, "offers", categories)
    expires = np.full(len(offers), np.inf)
    for i, item in enumerate(offers):
        raw = item.get("expires_in_hours")
        if raw is not None:
            number = _number(raw)
            where = f"offers[{i}].expires_in_hours"
            if number is None or number <= 0:
                raise _fail(where, N_("%(where)s: must be a positive number"))
            if number > MAX_HOURS:
                raise _fail(where, N_("%(where)s: must be at most %(limit)s"), limit=MAX_HOURS)
            expires[i] = number
    n_ids, n_cat, n_qty, n_lat, n_lon = _common(needs, "needs", categories)
    priority = np.ones(len(needs))
    group_codes: dict[str, int] = {}
    group = np.empty(len(needs), dtype=np.int64)
    for i, item in enumerate(needs):
        raw = item.get("priority")
        if raw is not None:
            number = _number(raw)
            if number is None or number < 1:
                raise _fail(f"needs[{i}].priority", N_("%(where)s: must be a number >= 1"))
            if number > MAX_PRIORITY:
                raise _fail(
                    f"needs[{i}].priority",
                    N_("%(where)s: must be at most %(limit)s"),
                    limit=MAX_PRIORITY,
                )
            priority[i] = number
        raw_group = item.get("group", "default")
        name = _text(raw_group, f"needs[{i}].group")
        group[i] = group_codes.setdefault(name, len(group_codes))
    return Instance(
        offer_ids=o_ids,
        offer_category=o_cat,
        offer_quantity=o_qty,
        offer_lat=o_lat,
        offer_lon=o_lon,
        offer_expires_h=expires,
        need_ids=n_ids,
        need_category=n_cat,
        need_quantity=n_qty,
        need_lat=n_lat,
        need_lon=n_lon,
        need_priority=priority,
        need_group=group,
        categories=list(categories),
        groups=list(group_codes),
        params=params,
    )


def load_instance(text: str | bytes) -> Instance:
    """Decode and validate an instance from JSON text."""
    return parse_instance(loads_json_bulk(text, field="instance"))


def load_instance_file(path: Path) -> Instance:
    """Read, decode and validate an instance file (errors name the field `instance`)."""
    return load_instance(read_bytes(path, field="instance"))

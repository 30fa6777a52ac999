"""Readings as the telemetry spec defines them: parse, validate, reject with a reason (pure)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DEVICE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
PROBE = re.compile(r"[a-z0-9_]{1,32}")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
KEYS = frozenset({"t", "temperature_c", "moisture_pct", "oxygen_pct", "turned"})
MAX_PER_MESSAGE = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Reading:
    """One validated reading: UTC time, probe temperatures (°C) and optional sensors."""

    t: datetime
    temperature_c: dict[str, float] = field(default_factory=dict)
    moisture_pct: float | None = None
    oxygen_pct: float | None = None
    turned: bool = False

    @property
    def cold(self) -> float | None:
        """The lowest probe, or None when the reading carries no temperature."""
        return min(self.temperature_c.values()) if self.temperature_c else None

    @property
    def hot(self) -> float | None:
        """The highest probe, or None when the reading carries no temperature."""
        return max(self.temperature_c.values()) if self.temperature_c else None


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why the reading at `index` of a message was not stored."""

    index: int
    reason: str


class BadReading(ValueError):
    """A reading breaks the spec; the message says how."""


def is_device_id(value: str) -> bool:
    """True for a valid device id (`[a-z0-9][a-z0-9-]{0,63}`)."""
    return DEVICE_ID.fullmatch(value) is not None


LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # (datetime's year 9999 leaves no room to compute)


def parse_time(value: Any) -> datetime:
    """`t`: RFC 3339 with an offset, or integer Unix milliseconds, as an aware UTC datetime
    from the Unix epoch (1970) up to the year 9000: no device measured before, and a year
    below 1000 is not even written back the way it was stored."""
    moment = _parse_time(value)
    if not EPOCH <= moment < LATEST:
        raise BadReading("t: must be from 1970 (the Unix epoch) up to the year 9000")
    return moment


def _parse_time(value: Any) -> datetime:
    if isinstance(value, bool):
        raise BadReading("t: must be an RFC 3339 time with an offset or Unix milliseconds")
    if isinstance(value, int):
        try:
            return EPOCH + timedelta(milliseconds=value)
        except OverflowError:
            raise BadReading("t: Unix milliseconds out of range") from None
    if not isinstance(value, str):
        raise BadReading("t: must be an RFC 3339 time with an offset or Unix milliseconds")
    if RFC3339.fullmatch(value) is None:
        raise BadReading("t: must be an RFC 3339 time with an offset, e.g. 2026-12-04T10:00:00Z")
    text = value.upper().replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Python reads at most microseconds
        digits = re.match(r"\d+", rest)
        assert digits is not None
        frac = digits.group(0)
        text = f"{head}.{(frac + '000000')[:6]}{rest[len(frac) :]}"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadReading("t: not a real time") from None


def _number(name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadReading(f"{name}: must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise BadReading(f"{name}: must be a finite number")
    if not low <= number <= high:
        raise BadReading(f"{name}: must be from {low:g} to {high:g}")
    return number


def parse_reading(raw: Any) -> Reading:
    """One reading from its JSON object, or BadReading naming the problem."""
    if not isinstance(raw, Mapping):
        raise BadReading("reading: must be a JSON object")
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        raise BadReading(f"{unknown[0]}: unknown key")
    if "t" not in raw:
        raise BadReading("t: required")
    t = parse_time(raw["t"])
    temps: dict[str, float] = {}
    probes = raw.get("temperature_c")
    if probes is not None:
        if not isinstance(probes, Mapping):
            raise BadReading("temperature_c: must be an object of probe name to °C")
        for name, value in probes.items():
            if not isinstance(name, str) or PROBE.fullmatch(name) is None:
                raise BadReading(f"temperature_c: probe name {name!r} must match [a-z0-9_]{{1,32}}")
            temps[name] = _number(f"temperature_c.{name}", value, -40.0, 100.0)
    moisture = raw.get("moisture_pct")
    oxygen = raw.get("oxygen_pct")
    moisture_v = None if moisture is None else _number("moisture_pct", moisture, 0.0, 100.0)
    oxygen_v = None if oxygen is None else _number("oxygen_pct", oxygen, 0.0, 25.0)
    if not temps and moisture_v is None and oxygen_v is None:
        raise BadReading("temperature_c: at least one probe (or moisture_pct or oxygen_pct)")
    turned = raw.get("turned", False)
    if turned is None:
        turned = False
    if not isinstance(turned, bool):
        raise BadReading("turned: must be true or false")
    return Reading(t, temps, moisture_v, oxygen_v, turned)


def parse_message(payload: Any) -> tuple[list[Reading], list[Rejection]]:
    """A message (one reading or an array of up to 10,000): the good ones and the rejections."""
    items: list[Any] = payload if isinstance(payload, list) else [payload]
    if len(items) > MAX_PER_MESSAGE:
        raise BadReading(f"body: at most {MAX_PER_MESSAGE} readings per message")
    good: list[Reading] = []
    bad: list[Rejection] = []
    for index, raw in enumerate(items):
        try:
            good.append(parse_reading(raw))
        except BadReading as exc:
            bad.append(Rejection(index, str(exc)))
    return good, bad


def latest_per_time(readings: Iterable[Reading]) -> list[Reading]:
    """Readings in order of `t`, a later one replacing an earlier one with the same `t`."""
    by_time: dict[datetime, Reading] = {}
    for reading in readings:
        by_time[reading.t] = reading
    return [by_time[t] for t in sorted(by_time)]


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(reading: Reading) -> dict[str, Any]:
    """The spec's JSON object for a reading."""
    out: dict[str, Any] = {"t": format_time(reading.t)}
    if reading.temperature_c:
        out["temperature_c"] = dict(reading.temperature_c)
    if reading.moisture_pct is not None:
        out["moisture_pct"] = reading.moisture_pct
    if reading.oxygen_pct is not None:
        out["oxygen_pct"] = reading.oxygen_pct
    if reading.turned:
        out["turned"] = True
    return out

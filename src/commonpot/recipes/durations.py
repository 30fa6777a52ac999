"""Recipe times: read ISO 8601 durations and everyday phrases, write canonical ISO 8601."""

from __future__ import annotations

import re
from fractions import Fraction

from commonpot.parsing import MAX_NUMBER_CHARS

# a recipe that takes longer than a year is a typo or an attack, not a recipe
MAX_SECONDS = 366 * 86400

_ISO = re.compile(
    r"^P(?:(?P<w>\d+(?:[.,]\d+)?)W)?(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$",
    re.IGNORECASE,
)
_PHRASE_PART = re.compile(
    # English or Spanish units ("1 hora 30 minutos"): each is known by its first letter
    r"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<u>days?|d[ií]as?|d|hours?|horas?|hrs?|h|minutes?|minutos?|mins?|m"
    r"|seconds?|segundos?|secs?|s)\b",
    re.IGNORECASE,
)
_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def _number(text: str) -> Fraction:
    return Fraction(text.replace(",", "."))


def duration_seconds(value: str | None) -> int | None:
    """Return the number of seconds in "PT1H30M", "P0DT1H", "1 hr 30 mins" or "45"; else None."""
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > 4 * MAX_NUMBER_CHARS:
        return None
    try:
        seconds = _seconds(text)
    except ValueError:  # a number too long for int()
        return None
    return seconds if seconds is None or 0 <= seconds <= MAX_SECONDS else None


def _seconds(text: str) -> int | None:
    iso = _ISO.match(text)
    if iso and text.upper() not in {"P", "PT"} and not text.upper().endswith("T"):
        total = sum(
            (_number(v) * _SECONDS[k] for k, v in iso.groupdict().items() if v), Fraction(0)
        )
        return round(total)
    if re.fullmatch(r"\d+", text):
        return int(text) * 60  # a bare number on a recipe card means minutes
    parts = list(_PHRASE_PART.finditer(text))
    if not parts:
        hm = re.fullmatch(r"(\d+)\s*[h:]\s*(\d{1,2})", text, re.IGNORECASE)
        return int(hm.group(1)) * 3600 + int(hm.group(2)) * 60 if hm else None
    total = Fraction(0)
    for part in parts:
        total += _number(part.group("n")) * _SECONDS[part.group("u")[0].lower()]
    return round(total)


def format_duration(seconds: int) -> str:
    """Write seconds as a canonical ISO 8601 duration: 5400 -> "PT1H30M", 93600 -> "P1DT2H"."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    out = "P" + (f"{days}D" if days else "")
    clock = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if v)
    if clock:
        out += "T" + clock
    return out if out != "P" else "PT0S"


def normalise_duration(value: str | None) -> str | None:
    """Return a recipe time in canonical ISO 8601; None when absent, zero or unreadable."""
    seconds = duration_seconds(value)
    if not seconds or seconds < 0:
        return None
    return format_duration(seconds)


def human_duration(value: str | None) -> str:
    """A recipe time for people: "PT1H30M" -> "1 h 30 min", "P1DT2H" -> "1 d 2 h"."""
    seconds = duration_seconds(value)
    if not seconds:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{v} {u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "min")) if v]
    return " ".join(parts) or f"{seconds} s"

"""Recurring classes: check an RRULE and expand it into sessions in the class's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

from commonpot.errors import Invalid
from commonpot.parsing import is_digits

MAX_SESSIONS = 104
ALLOWED_KEYS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
)
FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


@dataclass(frozen=True)
class Occurrence:
    """One session of a series, as UTC instants."""

    starts_at: datetime
    ends_at: datetime


def zone(name: str) -> ZoneInfo:
    """The IANA time zone by name, or Invalid."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(
            "Unknown time zone '%(zone)s'; use a name like Europe/London.",
            field="timezone",
            zone=name,
        ) from exc


def check_rrule(text: str) -> str:
    """A normalised RRULE value (without the 'RRULE:' prefix) that ends by COUNT or UNTIL."""
    value = text.strip().upper().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for chunk in filter(None, value.split(";")):
        key, sep, item = chunk.partition("=")
        if not sep or not item or key not in ALLOWED_KEYS:
            raise Invalid(
                "'%(part)s' is not a rule part we understand; e.g. FREQ=WEEKLY;COUNT=8.",
                field="rrule",
                part=chunk,
            )
        parts[key] = item
    if parts.get("FREQ") not in FREQUENCIES:
        raise Invalid("Start the rule with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.", field="rrule")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise Invalid("Say when the series ends: add COUNT=n or UNTIL=date.", field="rrule")
    if "COUNT" in parts and "UNTIL" in parts:
        raise Invalid("Use COUNT or UNTIL, not both.", field="rrule")
    if "COUNT" in parts and not (is_digits(parts["COUNT"]) and int(parts["COUNT"]) >= 1):
        raise Invalid("COUNT must be a positive whole number.", field="rrule")
    return ";".join(f"{k}={v}" for k, v in parts.items())


def _until_in_utc(rule: str, tz: ZoneInfo) -> str:
    """RFC 5545 wants UNTIL in UTC when DTSTART has a zone; accept local dates and convert."""
    out = []
    for chunk in rule.split(";"):
        key, _, item = chunk.partition("=")
        if key == "UNTIL" and not item.endswith("Z"):
            try:
                if len(item) == 8:
                    local = datetime.strptime(item, "%Y%m%d").replace(hour=23, minute=59, tzinfo=tz)
                else:
                    local = datetime.strptime(item, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
            except ValueError as exc:
                raise Invalid("UNTIL is a date like 20270630.", field="rrule") from exc
            item = local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        out.append(f"{key}={item}")
    return ";".join(out)


def normalise_rule(text: str, timezone: str) -> str:
    """The rule as stored and published: checked, with UNTIL in UTC."""
    return _until_in_utc(check_rrule(text), zone(timezone))


def expand(rule: str, starts_at: datetime, duration: timedelta, timezone: str) -> list[Occurrence]:
    """Every session of the series; wall-clock time is kept across daylight-saving changes."""
    tz = zone(timezone)
    local_start = starts_at.astimezone(tz)
    text = normalise_rule(rule, timezone)
    try:
        recurrence = rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise Invalid(
            "The repeat rule does not parse: %(problem)s.", field="rrule", problem=str(exc)
        ) from exc
    out: list[Occurrence] = []
    for moment in recurrence:
        if len(out) >= MAX_SESSIONS:
            raise Invalid(
                "A series has at most %(num)s sessions; shorten it.",
                field="rrule",
                num=MAX_SESSIONS,
            )
        begin = moment.replace(tzinfo=tz).astimezone(UTC)
        out.append(Occurrence(begin, (moment.replace(tzinfo=tz) + duration).astimezone(UTC)))
    if not out:
        raise Invalid("The repeat rule gives no sessions at all.", field="rrule")
    return out


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PICKER_FREQS = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}


@dataclass(frozen=True)
class Repeat:
    """A repeat as people pick it: every `interval` days/weeks/months, on weekdays, until when.

    `ends` is "count" (after `count` sessions) or "until" (the last date, local)."""

    freq: str
    interval: int = 1
    days: tuple[str, ...] = ()
    count: int | None = None
    until: str | None = None  # YYYY-MM-DD


def build_rule(repeat: Repeat) -> str:
    """The RRULE for a picked repeat (checked like a typed rule)."""
    freq = PICKER_FREQS.get(repeat.freq)
    if freq is None:
        raise Invalid("Choose how often it repeats.", field="repeat")
    if not 1 <= repeat.interval <= 52:
        raise Invalid("Repeat every 1 to 52 days, weeks or months.", field="repeat_interval")
    parts = [f"FREQ={freq}"]
    if repeat.interval > 1:
        parts.append(f"INTERVAL={repeat.interval}")
    if repeat.days:
        if freq != "WEEKLY" or any(d not in WEEKDAYS for d in repeat.days):
            raise Invalid("Pick weekdays only for a weekly repeat.", field="repeat_days")
        ordered = sorted(set(repeat.days), key=WEEKDAYS.index)
        parts.append("BYDAY=" + ",".join(ordered))
    if repeat.count is not None and repeat.until is None:
        if not 1 <= repeat.count <= MAX_SESSIONS:
            raise Invalid(
                "Say how many times, from 1 to %(num)s.", field="repeat_count", num=MAX_SESSIONS
            )
        parts.append(f"COUNT={repeat.count}")
    elif repeat.until is not None and repeat.count is None:
        try:
            day = date.fromisoformat(repeat.until)
        except ValueError as exc:
            raise Invalid("Pick the date of the last session.", field="repeat_until") from exc
        parts.append("UNTIL=" + day.strftime("%Y%m%d"))
    else:
        raise Invalid(
            "Say when it ends: after a number of times, or on a date.", field="repeat_end"
        )
    return check_rrule(";".join(parts))


def read_rule(rule: str | None, timezone: str = "UTC") -> Repeat | None:
    """A stored rule as a picked repeat, or None when the picker cannot show it."""
    if not rule:
        return None
    parts = dict(chunk.partition("=")[::2] for chunk in rule.split(";") if chunk)
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL", "WKST"}:
        return None
    freq = {v: k for k, v in PICKER_FREQS.items()}.get(parts.get("FREQ", ""))
    days = tuple(d for d in parts.get("BYDAY", "").split(",") if d)
    if freq is None or any(d not in WEEKDAYS for d in days) or (days and freq != "weekly"):
        return None
    interval = parts.get("INTERVAL", "1")
    if not is_digits(interval):
        return None
    count = parts.get("COUNT")
    until = parts.get("UNTIL")
    until_day = None
    if until:
        try:
            if until.endswith("Z"):
                moment = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                until_day = moment.astimezone(zone(timezone)).date().isoformat()
            else:
                until_day = date(int(until[:4]), int(until[4:6]), int(until[6:8])).isoformat()
        except ValueError:
            return None
    return Repeat(
        freq,
        int(interval),
        days,
        int(count) if count and is_digits(count) else None,
        until_day,
    )

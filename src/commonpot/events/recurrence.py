"""Recurring classes: check an RRULE and expand it into sessions in the class's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
            f"Unknown time zone '{name}'; use a name like Europe/London.", field="timezone"
        ) from exc


def check_rrule(text: str) -> str:
    """A normalised RRULE value (without the 'RRULE:' prefix) that ends by COUNT or UNTIL."""
    value = text.strip().upper().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for chunk in filter(None, value.split(";")):
        key, sep, item = chunk.partition("=")
        if not sep or not item or key not in ALLOWED_KEYS:
            raise Invalid(
                f"'{chunk}' is not a rule part we understand; e.g. FREQ=WEEKLY;COUNT=8.",
                field="rrule",
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
        raise Invalid(f"The repeat rule does not parse: {exc}.", field="rrule") from exc
    out: list[Occurrence] = []
    for moment in recurrence:
        if len(out) >= MAX_SESSIONS:
            raise Invalid(
                f"A series has at most {MAX_SESSIONS} sessions; shorten it.", field="rrule"
            )
        begin = moment.replace(tzinfo=tz).astimezone(UTC)
        out.append(Occurrence(begin, (moment.replace(tzinfo=tz) + duration).astimezone(UTC)))
    if not out:
        raise Invalid("The repeat rule gives no sessions at all.", field="rrule")
    return out

"""Reading the event form into the API's models (`EventIn`, `EventPatch`): one set of rules.

The form differs from the JSON only in shape: roles are written "elder:2, helper", empty
fields mean "not given", times are the browser's local `datetime-local` values, read in
the event's zone by the service as any time without an offset is.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from commonpot.errors import Invalid, invalid_from
from commonpot.events.recurrence import WEEKDAYS, Repeat, build_rule, read_rule
from commonpot.events.schemas import EventIn, EventPatch
from commonpot.parsing import is_digits
from commonpot.words import ENGLISH, Words

M = TypeVar("M", bound=BaseModel)
FORM_FIELDS = (
    "title",
    "description",
    "kind",
    "place_id",
    "location_note",
    "starts_at",
    "ends_at",
    "timezone",
    "capacity",
    "roles",
    "visibility",
    "accessibility",
    "languages",
    "rrule",
    "repeat",
    "repeat_interval",
    "repeat_end",
    "repeat_count",
    "repeat_until",
    *(f"repeat_day_{d}" for d in WEEKDAYS),
)
# what a person is told when a field does not read as its type (the API says it in JSON)
MESSAGES = {
    "title": "Give the event a title of 1 to 160 characters.",
    "starts_at": "Pick a date and time.",
    "ends_at": "Pick a date and time.",
    "place_id": "Choose a place.",
    "capacity": "Capacity is a whole number of people.",
    "roles": "Write roles like 'elder:2, apprentice:4, helper'.",
    "description": "Keep the description under 10,000 characters.",
}


# roles the pairing and the pages know by their stored key (shown through `term`); a reader
# writes them in their own words ("persona mayor:2"), stored as the key ("elder")
KNOWN_ROLES = (
    "elder",
    "teacher",
    "mentor",
    "apprentice",
    "learner",
    "youth",
    "student",
    "participant",
    "volunteer",
    "cook",
)


def role_word(name: str, words: Words = ENGLISH) -> str:
    """A stored role as the reader writes it in the form ("elder" → "persona mayor")."""
    return words.gettext(name) if name in KNOWN_ROLES else name


def parse_roles(text: str, words: Words = ENGLISH) -> list[dict[str, Any]]:
    """'elder:2, apprentice:4, helper' (or the reader's words for the known roles) → roles
    with how many are wanted, known roles by their stored key."""
    keys: dict[str, str] = {}
    for role in KNOWN_ROLES:
        keys.setdefault(words.gettext(role).lower(), role)
    out: list[dict[str, Any]] = []
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        name, _, count = chunk.partition(":")
        wanted = None
        if count.strip():
            if not is_digits(count.strip()):
                raise Invalid(MESSAGES["roles"], field="roles")
            wanted = int(count.strip())
        written = name.strip().lower()
        out.append({"name": keys.get(written, written), "wanted": wanted})
    return out


def parse_int(value: str, field: str, message: str) -> int | None:
    """An optional whole number from a form."""
    text = value.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise Invalid(message, field=field) from exc


def read_model(model: type[M], data: dict[str, Any]) -> M:
    """`model` from form data; what does not validate is Invalid naming the form's field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field = invalid_from(exc, form_field=True).field
        message = MESSAGES.get(field or "", "Check this field.")
        raise Invalid(message, field=field) from None


def _fields(form: dict[str, str], words: Words = ENGLISH) -> dict[str, Any]:
    return {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "kind": form.get("kind", "") or "event",
        "place_id": form.get("place_id", "").strip() or None,
        "location_note": form.get("location_note", ""),
        "starts_at": form.get("starts_at", "").strip() or None,
        "ends_at": form.get("ends_at", "").strip() or None,
        "timezone": form.get("timezone", "").strip() or "UTC",
        "capacity": form.get("capacity", "").strip() or None,
        "roles": parse_roles(form.get("roles", ""), words),
        "visibility": form.get("visibility", "") or "community",
        "accessibility": form.get("accessibility", ""),
        "languages": form.get("languages", ""),
        "rrule": form.get("rrule", "").strip() or rule_from_picker(form),
    }


def rule_from_picker(form: dict[str, str]) -> str | None:
    """The RRULE the repeat picker describes ("every week on Tuesday, 8 times"), or None."""
    freq = form.get("repeat", "").strip()
    if not freq or freq == "none":
        return None
    interval = parse_int(
        form.get("repeat_interval", "") or "1", "repeat_interval", "Repeat every 1 to 52."
    )
    ends = form.get("repeat_end", "count")
    count = until = None
    if ends == "until":
        until = form.get("repeat_until", "").strip() or "missing"
    else:
        count = parse_int(
            form.get("repeat_count", ""), "repeat_count", "Say how many times, e.g. 8."
        )
        if count is None:
            raise Invalid("Say how many times, e.g. 8.", field="repeat_count")
    days = tuple(d for d in WEEKDAYS if form.get(f"repeat_day_{d}") == "on")
    return build_rule(Repeat(freq, interval or 1, days if freq == "weekly" else (), count, until))


def picker_values(rule: str | None, timezone: str) -> dict[str, str]:
    """The picker's fields for a stored rule; a rule it cannot show stays in `rrule`."""
    repeat = read_rule(rule, timezone)
    if rule and repeat is None:
        return {"rrule": rule, "repeat": "none"}
    if repeat is None:
        return {"rrule": "", "repeat": "none"}
    out = {
        "rrule": "",
        "repeat": repeat.freq,
        "repeat_interval": str(repeat.interval),
        "repeat_end": "until" if repeat.until else "count",
        "repeat_count": str(repeat.count or ""),
        "repeat_until": repeat.until or "",
    }
    out.update({f"repeat_day_{d}": "on" for d in repeat.days})
    return out


def event_from_form(form: dict[str, str], words: Words = ENGLISH) -> EventIn:
    """A new event from the HTML form's fields (written in the reader's `words`), as the API
    would take it."""
    return read_model(EventIn, _fields(form, words))


def changes_from_form(form: dict[str, str], words: Words = ENGLISH) -> EventPatch:
    """The edit form's fields as a change to every field, as the API would take it."""
    fields = _fields(form, words)
    for key in ("starts_at", "ends_at"):
        if fields[key] is None:  # the form always sends both: empty is a mistake, not "keep"
            raise Invalid(MESSAGES[key], field=key)
    return read_model(EventPatch, fields)

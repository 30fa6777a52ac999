"""Reading the event form: fields, roles shorthand, local times (shared by create and edit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from commonpot.errors import Invalid
from commonpot.events import service
from commonpot.events.recurrence import zone
from commonpot.parsing import is_digits

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
)


def parse_roles(text: str) -> list[dict[str, Any]]:
    """'elder:2, apprentice:4, helper' → roles with how many are wanted."""
    out: list[dict[str, Any]] = []
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        name, _, count = chunk.partition(":")
        wanted = None
        if count.strip():
            if not is_digits(count.strip()):
                raise Invalid("Write roles like 'elder:2, apprentice:4, helper'.", field="roles")
            wanted = int(count.strip())
        out.append({"name": name.strip().lower(), "wanted": wanted})
    return out


def parse_local(value: str, timezone: str, field: str) -> datetime:
    """A datetime-local form value read in the event's zone."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid("Pick a date and time.", field=field) from exc
    return naive.replace(tzinfo=zone(timezone)) if naive.tzinfo is None else naive


def parse_int(value: str, field: str, message: str) -> int | None:
    """An optional whole number from a form."""
    text = value.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise Invalid(message, field=field) from exc


def draft_from_form(form: dict[str, str]) -> service.EventDraft:
    """An event draft from the HTML form's fields (errors name the field)."""
    tz = form.get("timezone", "").strip() or "UTC"
    zone(tz)
    return service.EventDraft(
        title=form.get("title", ""),
        description=form.get("description", ""),
        kind=form.get("kind", "event") or "event",
        place_id=parse_int(form.get("place_id", ""), "place_id", "Choose a place."),
        location_note=form.get("location_note", ""),
        starts_at=parse_local(form.get("starts_at", ""), tz, "starts_at"),
        ends_at=parse_local(form.get("ends_at", ""), tz, "ends_at"),
        timezone=tz,
        capacity=parse_int(
            form.get("capacity", ""), "capacity", "Capacity is a whole number of people."
        ),
        roles=parse_roles(form.get("roles", "")),
        visibility=form.get("visibility", "community") or "community",
        accessibility=form.get("accessibility", ""),
        languages=form.get("languages", ""),
        rrule=form.get("rrule", "") or None,
    )

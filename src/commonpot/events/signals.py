"""What the events domain tells others happened (typed events; `commonpot.signals`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WaitlistPromoted:
    """People on an event's waitlist got a place."""

    community_id: int
    event_id: int
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class EventCancelled:
    """An event was cancelled; everyone signed up hears."""

    community_id: int
    event_id: int


@dataclass(frozen=True)
class EventChanged:
    """An organiser changed an event's time, place or menu; everyone signed up hears.

    `change` says what changed ("time", "place", "menu") and `key` makes each change its
    own notification (the same change is never told twice)."""

    community_id: int
    event_id: int
    change: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class EventSoon:
    """An event starts within a day (the reminder job emits this once per event)."""

    community_id: int
    event_id: int
    starts_at: datetime


@dataclass(frozen=True)
class FlashCalled:
    """Someone called a flash event (cooking now, come along)."""

    community_id: int
    event_id: int

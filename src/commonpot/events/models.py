"""Events tables: cooking events and classes, their sessions, sign-ups, attendance, menus."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonpot.accounts import User
from commonpot.communities import Place
from commonpot.db import Base, utcnow


class EventKind(enum.StrEnum):
    """A one-off event, a class (possibly recurring), or a flash event called at short notice."""

    EVENT = "event"
    CLASS = "class"
    FLASH = "flash"


class EventVisibility(enum.StrEnum):
    """Who may see an event: members of its community, or anyone who may read the community."""

    COMMUNITY = "community"
    PUBLIC = "public"


class EventStatus(enum.StrEnum):
    """An event goes ahead or is cancelled (cancelled events stay in feeds as CANCELLED)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    """A person's place: confirmed, waiting for a seat, or withdrawn."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Event(Base):
    """A community cooking event or class, at a place and time, with a capacity."""

    __tablename__ = "event_events"
    __table_args__ = (Index("ix_event_events_community_starts", "community_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=EventKind.EVENT.value)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    place_id: Mapped[int | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), default=None
    )
    location_note: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    capacity: Mapped[int | None] = mapped_column(default=None)
    roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    visibility: Mapped[str] = mapped_column(String(16), default=EventVisibility.COMMUNITY.value)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[str] = mapped_column(String(120), default="")
    rrule: Mapped[str | None] = mapped_column(String(300), default=None)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.SCHEDULED.value)
    sequence: Mapped[int] = mapped_column(default=0)
    pantry: Mapped[list[str]] = mapped_column(JSON, default=list)
    posted_needs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the class's size for elder–youth pairs: how many learners each elder takes (1..20)
    learners_per_elder: Mapped[int] = mapped_column(default=1, server_default="1")

    place: Mapped[Place | None] = relationship(lazy="joined")

    @property
    def is_cancelled(self) -> bool:
        """True when the event will not happen."""
        return self.status == EventStatus.CANCELLED.value

    @property
    def language_list(self) -> list[str]:
        """The event's languages as codes."""
        return [c for c in self.languages.split(",") if c]


class EventSession(Base):
    """One occurrence of an event (a one-off event has exactly one); attendance hangs on it."""

    __tablename__ = "event_sessions"
    __table_args__ = (UniqueConstraint("event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    cancelled: Mapped[bool] = mapped_column(default=False)


class Registration(Base):
    """A person's sign-up for an event, in a role, confirmed or on the waitlist."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("community_id", "event_id", "user_id"),
        Index("ix_event_registrations_queue", "event_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event_events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40), default="participant")
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.CONFIRMED.value)
    recipes: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(300), default="")
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class Attendance(Base):
    """Who came to which session (checked in at the door by a steward or organiser)."""

    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("community_id", "session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class MenuItem(Base):
    """A recipe from the archive on an event's menu (the title is kept if the recipe goes)."""

    __tablename__ = "event_menu_items"
    __table_args__ = (UniqueConstraint("community_id", "event_id", "recipe_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    servings_override: Mapped[int | None] = mapped_column(default=None)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class PairRule(Base):
    """A steward's pin (must pair) or forbid (must not pair) for a teacher and a learner."""

    __tablename__ = "event_pair_rules"
    __table_args__ = (UniqueConstraint("community_id", "event_id", "teacher_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

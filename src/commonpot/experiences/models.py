"""Experience tables: recordings' voice settings (consent to play, timed transcript), chapters
a custodian arranged (else a default is built from the recipe), and live gatherings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from commonpot.db import Base, utcnow


class Listeners(enum.StrEnum):
    """Whom the teller's consent lets hear a recording inside an experience."""

    ANYONE = "anyone"  # anyone who may see the recipe
    MEMBERS = "members"  # members of the recipe's community only (the default)
    NOBODY = "nobody"  # transcript and captions only, the voice is never played


class RecordingVoice(Base):
    """How one oral-history recording plays in experiences: consent and timed transcript."""

    __tablename__ = "experience_voices"
    __table_args__ = (UniqueConstraint("community_id", "recording_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recipe_oral_histories.id", ondelete="CASCADE"), index=True
    )
    listeners: Mapped[str] = mapped_column(String(16), default=Listeners.MEMBERS.value)
    # [{"start_s": float, "end_s": float, "text": str}, ...] in time order, not overlapping
    cues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExperienceChapter(Base):
    """One chapter a custodian arranged: steps grouped, story text, a stretch of a recording."""

    __tablename__ = "experience_chapters"
    __table_args__ = (UniqueConstraint("community_id", "recipe_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    # 1-based numbers of the recipe's steps, counted across its sections
    steps: Mapped[list[int]] = mapped_column(JSON, default=list)
    generation: Mapped[int | None] = mapped_column(Integer, default=None)
    # where the scene looks ("hearth", "table", "lineage"); None: from the steps and generation
    focus: Mapped[str | None] = mapped_column(String(16), default=None)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipe_oral_histories.id", ondelete="SET NULL"), default=None
    )
    start_s: Mapped[float | None] = mapped_column(Float, default=None)
    end_s: Mapped[float | None] = mapped_column(Float, default=None)


class Gathering(Base):
    """A live, shared telling of an experience: the host leads, everyone present follows."""

    __tablename__ = "experience_gatherings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_events.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime | None] = mapped_column(default=None)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    # where the host is: the chapter, the voice's position and whether it plays
    chapter: Mapped[int] = mapped_column(Integer, default=0)
    audio_s: Mapped[float] = mapped_column(Float, default=0.0)
    playing: Mapped[bool] = mapped_column(Boolean, default=False)
    # the recording the host's chapter plays (followers play it only if theirs is the same)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipe_oral_histories.id", ondelete="SET NULL"), default=None
    )
    led_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GatheringPresence(Base):
    """Someone's device in a gathering, seen recently (a random id per open page)."""

    __tablename__ = "experience_presence"
    __table_args__ = (UniqueConstraint("community_id", "gathering_id", "client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("experience_gatherings.id", ondelete="CASCADE"), index=True
    )
    client: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )
    chapter: Mapped[int] = mapped_column(Integer, default=0)
    # a visitor from another instance whose community vouched for them: "Name · group@host"
    guest: Mapped[str | None] = mapped_column(String(300), default=None)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

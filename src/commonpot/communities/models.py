"""Communities (each one a DAO), their members with roles, invitations, and places."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonpot.accounts import User
from commonpot.db import Base, utcnow


class Visibility(enum.StrEnum):
    """Who may read a community's profile, places and public content."""

    PUBLIC = "public"
    PRIVATE = "private"


class Role(enum.StrEnum):
    """What a member may do: stewards run the community, custodians keep cultural protocols."""

    MEMBER = "member"
    STEWARD = "steward"
    CUSTODIAN = "custodian"


class PlaceKind(enum.StrEnum):
    """Kinds of places inside a community."""

    ENCLAVE = "enclave"
    BIODOME = "biodome"
    GARDEN = "garden"
    KITCHEN = "kitchen"
    MARKET = "market"
    PLAZA = "plaza"
    HOUSEHOLD = "household"
    SITE = "site"


class Community(Base):
    """A community that governs itself: its profile, visibility and settings."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC.value)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_public(self) -> bool:
        """True when anyone may read the community's public content."""
        return self.visibility == Visibility.PUBLIC.value


class Membership(Base):
    """A person's membership of a community, with one role."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    community: Mapped[Community] = relationship(lazy="joined")


class Invitation(Base):
    """A one-time link from a steward that lets a person join (and sign up if needed)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)

    community: Mapped[Community] = relationship(lazy="joined")


class Place(Base):
    """A place inside a community: an enclave, biodome, garden, kitchen, market..."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=PlaceKind.SITE.value)
    description: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float]
    lon: Mapped[float]
    climate_class: Mapped[str | None] = mapped_column(String(40), default=None)
    area_m2: Mapped[float | None] = mapped_column(default=None)
    population: Mapped[int | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Federation tables: followers, follows, remote actors and items, deliveries, blocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commonpot.db import Base, utcnow

URL = 500


class Follower(Base):
    """A remote actor that follows a local community (deliveries go to its shared inbox)."""

    __tablename__ = "fed_followers"
    __table_args__ = (UniqueConstraint("community_id", "actor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[str] = mapped_column(String(URL))
    inbox: Mapped[str] = mapped_column(String(URL))
    shared_inbox: Mapped[str | None] = mapped_column(String(URL), default=None)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    follow_id: Mapped[str] = mapped_column(String(URL), default="")
    # "pending" while stewards decide (communities that approve followers), then "accepted"
    state: Mapped[str] = mapped_column(String(16), default="accepted", server_default="accepted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Following(Base):
    """A remote community that a local community follows (pending until it accepts)."""

    __tablename__ = "fed_following"
    __table_args__ = (UniqueConstraint("community_id", "actor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[str] = mapped_column(String(URL))
    handle: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    inbox: Mapped[str] = mapped_column(String(URL))
    domain: Mapped[str] = mapped_column(String(253), index=True)
    follow_id: Mapped[str] = mapped_column(String(URL), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RemoteActor(Base):
    """A remote actor's document and public key, cached (refreshed when a signature fails)."""

    __tablename__ = "fed_remote_actors"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(URL), unique=True)
    key_id: Mapped[str] = mapped_column(String(URL), index=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    inbox: Mapped[str] = mapped_column(String(URL), default="")
    shared_inbox: Mapped[str | None] = mapped_column(String(URL), default=None)
    name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str] = mapped_column(String(200), default="")
    domain: Mapped[str] = mapped_column(String(253), index=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class RemoteItem(Base):
    """A recipe or event from a followed community, kept for a local community (sanitised)."""

    __tablename__ = "fed_remote_items"
    __table_args__ = (UniqueConstraint("community_id", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    object_id: Mapped[str] = mapped_column(String(URL))
    kind: Mapped[str] = mapped_column(String(16))
    origin_actor: Mapped[str] = mapped_column(String(URL))
    origin_name: Mapped[str] = mapped_column(String(200), default="")
    domain: Mapped[str] = mapped_column(String(253), index=True)
    name: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(URL), default="")
    starts_at: Mapped[datetime | None] = mapped_column(default=None)
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    location: Mapped[str] = mapped_column(String(300), default="")
    labels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ingredients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    license: Mapped[str] = mapped_column(String(URL), default="", server_default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Published(Base):
    """A local recipe or event that has left the instance (so its changes and deletion follow)."""

    __tablename__ = "fed_published"
    __table_args__ = (UniqueConstraint("community_id", "kind", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    local_id: Mapped[int]


class Activity(Base):
    """An activity to send: a change to publish (built at fan-out) or a ready document.

    A gathering's built announcements are also what the outbox lists (`federation.outbox`)."""

    __tablename__ = "fed_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True, default=None
    )
    verb: Mapped[str] = mapped_column(String(16))  # change, delete, or a ready activity type
    kind: Mapped[str] = mapped_column(String(16), default="")  # recipe, event
    local_id: Mapped[int | None] = mapped_column(default=None)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    target_inbox: Mapped[str | None] = mapped_column(String(URL), default=None)
    fanned_out: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One activity to one inbox, retried with growing back-off until done or given up."""

    __tablename__ = "fed_deliveries"
    __table_args__ = (Index("ix_fed_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("fed_activities.id", ondelete="CASCADE"), index=True
    )
    inbox: Mapped[str] = mapped_column(String(URL))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, done, failed
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DomainBlock(Base):
    """A blocked remote domain: for the whole instance (no community) or for one community."""

    __tablename__ = "fed_domain_blocks"
    __table_args__ = (UniqueConstraint("community_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True, default=None
    )
    domain: Mapped[str] = mapped_column(String(253), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Policy(Base):
    """How a community federates: whether stewards approve each new follower."""

    __tablename__ = "fed_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), unique=True
    )
    approve_followers: Mapped[bool] = mapped_column(default=False)


class Report(Base):
    """A report (`Flag`): received from another server, or sent by a member about remote content."""

    __tablename__ = "fed_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True, default=None
    )
    direction: Mapped[str] = mapped_column(String(16))  # incoming, outgoing
    flag_id: Mapped[str] = mapped_column(String(URL), default="")
    actor_id: Mapped[str] = mapped_column(String(URL))  # who reported (in) / who is reported (out)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    objects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, resolved, dismissed
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Adaptation(Base):
    """A local recipe adapted from a remote one: its lineage across servers, with attribution."""

    __tablename__ = "fed_adaptations"
    __table_args__ = (UniqueConstraint("community_id", "recipe_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"))
    object_id: Mapped[str] = mapped_column(String(URL))
    origin_actor: Mapped[str] = mapped_column(String(URL))
    origin_name: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(URL), default="")
    license: Mapped[str] = mapped_column(String(URL), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

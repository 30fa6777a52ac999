"""Governance tables: proposals, votes, delegations, discussion, and the Merkle ledger."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonpot.accounts import User
from commonpot.db import Base, utcnow


class State(enum.StrEnum):
    """A proposal's lifecycle (spec: Proposals)."""

    DRAFT = "draft"
    PENDING = "pending"
    ACTIVE = "active"
    CANCELED = "canceled"
    DEFEATED = "defeated"
    SUCCEEDED = "succeeded"
    QUEUED = "queued"
    EXPIRED = "expired"
    EXECUTED = "executed"


class Proposal(Base):
    """A question put to the community, with its typed action and its frozen rules."""

    __tablename__ = "gov_proposals"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        Index("ix_gov_proposals_by_state", "community_id", "state", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[str] = mapped_column(String(16), default=State.DRAFT.value, index=True)
    method: Mapped[str] = mapped_column(String(16))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    seats: Mapped[int] = mapped_column(default=1)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    action: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    action_hash: Mapped[str] = mapped_column(String(64))
    electorate: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opens_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    extended: Mapped[bool] = mapped_column(default=False)
    executable_at: Mapped[datetime | None] = mapped_column(default=None)
    executed_at: Mapped[datetime | None] = mapped_column(default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    floor: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # what carrying it out did: English text (also in the ledger), and the same sentence
    # as data (`words.Said` JSON) to show in each reader's language; older rows: text only
    outcome: Mapped[str] = mapped_column(Text, default="")
    outcome_words: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    author: Mapped[User | None] = relationship(lazy="joined")


class Vote(Base):
    """One member's ballot on a proposal (changed in place until voting closes)."""

    __tablename__ = "gov_votes"
    __table_args__ = (UniqueConstraint("proposal_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("gov_proposals.id", ondelete="CASCADE"), index=True
    )
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ballot: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str | None] = mapped_column(String(120), default=None)
    commitment: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    salt: Mapped[str | None] = mapped_column(String(64), default=None)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[int] = mapped_column(default=0)


class Constitution(Base):
    """One version of a community's constitution: the floors proposals must meet, per kind."""

    __tablename__ = "gov_constitutions"
    __table_args__ = (UniqueConstraint("community_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    floors: Mapped[dict[str, Any]] = mapped_column(JSON)
    proposal: Mapped[int | None] = mapped_column(default=None)
    adopted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delegation(Base):
    """A member lets another vote for them on one kind of proposal (or all: scope "*")."""

    __tablename__ = "gov_delegations"
    __table_args__ = (UniqueConstraint("community_id", "delegator_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    delegator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(40), default="*")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id], lazy="joined")


class Comment(Base):
    """A message in a proposal's discussion thread."""

    __tablename__ = "gov_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("gov_proposals.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class LedgerEntry(Base):
    """One leaf of a community's Merkle log: canonical JSON text and its leaf hash."""

    __tablename__ = "gov_ledger_entries"
    __table_args__ = (UniqueConstraint("community_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    seq: Mapped[int]
    data: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerNode(Base):
    """An interior node of a community's Merkle log: the hash of a complete subtree.

    The node at `level` (1 and up; leaves are the entries) and `position` covers leaves
    position * 2**level up to (position + 1) * 2**level; `ledger.append` writes the nodes
    an entry completes in the same transaction, so a proof reads O(log n) stored hashes.
    """

    __tablename__ = "gov_ledger_nodes"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class Checkpoint(Base):
    """A signed tree head of a community's ledger (C2SP checkpoint note)."""

    __tablename__ = "gov_checkpoints"
    __table_args__ = (UniqueConstraint("community_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    frontier: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Grant(Base):
    """A request for continuous funding from a pool, decided by conviction voting."""

    __tablename__ = "gov_grants"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    recipient: Mapped[str] = mapped_column(String(120))
    pool: Mapped[str] = mapped_column(String(20), default="treasury")
    requested: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[str] = mapped_column(String(16), default="open")
    conviction: Mapped[str] = mapped_column(String(80), default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    funded_at: Mapped[datetime | None] = mapped_column(default=None)


class Stake(Base):
    """Tokens a member stakes on a grant; conviction grows while they stay."""

    __tablename__ = "gov_stakes"
    __table_args__ = (UniqueConstraint("grant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    grant_id: Mapped[int] = mapped_column(
        ForeignKey("gov_grants.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

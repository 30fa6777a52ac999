"""What the governance domain tells others happened (typed events; `commonpot.signals`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProposalOpened:
    """Voting opened (or will open) on a proposal; every member may vote."""

    community_id: int
    number: int
    title: str


@dataclass(frozen=True)
class ProposalDecided:
    """Voting on a proposal closed with a result."""

    community_id: int
    number: int
    title: str
    outcome: str


@dataclass(frozen=True)
class ProposalClosingSoon:
    """Voting on a proposal closes within a day (the reminder job emits this once)."""

    community_id: int
    number: int
    title: str

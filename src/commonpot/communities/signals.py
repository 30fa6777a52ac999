"""What the communities domain tells others happened (typed events; `commonpot.signals`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invited:
    """A steward invited someone by e-mail address."""

    community_id: int
    invitation_id: int
    email: str
    role: str


@dataclass(frozen=True)
class RoleChanged:
    """A member's role changed."""

    community_id: int
    user_id: int
    role: str

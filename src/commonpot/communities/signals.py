"""What the communities domain tells others happened (typed events; `commonpot.signals`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invited:
    """A steward invited someone by e-mail address.

    `token` is the invitation's one-time secret, so that a person without an account can be
    sent the link; it is never stored by the invitation itself (only its hash).
    """

    community_id: int
    invitation_id: int
    email: str
    role: str
    token: str = ""
    invited_by: int | None = None


@dataclass(frozen=True)
class RoleChanged:
    """A member's role changed."""

    community_id: int
    user_id: int
    role: str

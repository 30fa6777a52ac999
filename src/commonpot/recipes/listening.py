"""Who may hear a recipe's recordings, beyond seeing the recipe: gates added by the wiring.

The teller's consent ("who may hear it") is kept by the experiences domain, which imports
recipes (so recipes cannot import it). `commonpot.wiring` registers its rule here as a
gate; every path that plays a recording (the recipe's own audio route, its page, the API)
asks `audible`, so a recording is heard exactly where the experience would play it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from commonpot.accounts import Viewer
    from commonpot.communities import Community


class ListeningGate(Protocol):
    """Of these recordings, the ids this viewer may hear."""

    def __call__(
        self, session: Session, community: Community, viewer: Viewer, recording_ids: Sequence[int]
    ) -> set[int]:
        """The recordings (of `recording_ids`) the viewer may hear."""
        ...


_GATES: dict[str, ListeningGate] = {}


def register_listening_gate(name: str, gate: ListeningGate) -> None:
    """Add (or replace) a named gate (the composition root; idempotent)."""
    _GATES[name] = gate


def audible(
    session: Session, community: Community, viewer: Viewer, recording_ids: Sequence[int]
) -> set[int]:
    """The recordings every gate lets this viewer hear (all of them when no gate is set)."""
    allowed = set(recording_ids)
    for name in sorted(_GATES):
        if not allowed:
            break
        allowed &= _GATES[name](session, community, viewer, sorted(allowed))
    return allowed

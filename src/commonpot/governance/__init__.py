"""Governance domain.

What other domains may use is exported here (loaded on first use, so the counting engines
and their commands start without the ORM):
`append_to_ledger(session, community, kind, payload)` adds one event to a community's
signed ledger in the caller's transaction; `create_proposal` and `get_proposal` open and
read a proposal (ecology puts its plans to the vote).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.governance.ledger import append as append_to_ledger
    from commonpot.governance.models import Proposal
    from commonpot.governance.proposals import closing_soon, get_proposal
    from commonpot.governance.service import create_proposal

__all__ = ["Proposal", "append_to_ledger", "closing_soon", "create_proposal", "get_proposal"]


def __getattr__(name: str) -> Any:
    value: Any
    if name == "append_to_ledger":
        from commonpot.governance import ledger

        value = ledger.append
    elif name == "Proposal":
        from commonpot.governance import models

        value = models.Proposal
    elif name in ("get_proposal", "closing_soon"):
        from commonpot.governance import proposals

        value = getattr(proposals, name)
    elif name == "create_proposal":
        from commonpot.governance import service

        value = service.create_proposal
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value

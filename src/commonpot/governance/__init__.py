"""Governance domain.

What other domains may use is exported here (loaded on first use):
`append_to_ledger(session, community, kind, payload)` adds one event to a community's
signed ledger in the caller's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.governance.ledger import append as append_to_ledger
    from commonpot.governance.proposals import closing_soon

__all__ = ["append_to_ledger", "closing_soon"]


def __getattr__(name: str) -> Any:
    if name == "append_to_ledger":
        from commonpot.governance.ledger import append

        globals()[name] = append
        return append
    if name == "closing_soon":
        from commonpot.governance.proposals import closing_soon

        globals()[name] = closing_soon
        return closing_soon
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Typed actions that a governance proposal can carry out, owned by the domains that act.

Each domain lists its action types in `commonpot.<domain>.actions.ACTIONS`. Governance
validates an action when the proposal is drafted, freezes its canonical parameters (whose
hash voters see), and calls `execute` once, after the vote and timelock, inside the
executing transaction: if `execute` raises, everything rolls back. `execute` says what it
did as a `Said` sentence: stored with the proposal and worded for each reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from commonpot.errors import Invalid
from commonpot.words import ENGLISH, Said, Words, said

if TYPE_CHECKING:
    from commonpot.accounts.service import Viewer
    from commonpot.communities.models import Community

Params = dict[str, Any]


__all__ = [
    "ENGLISH",
    "ActionType",
    "Params",
    "Said",
    "Words",
    "get",
    "load_all",
    "register",
    "said",
]


@dataclass(frozen=True)
class ActionType:
    """One kind of action: how to check its parameters and how to carry it out.

    `describe(params, words)` says what the action will do, worded with the reader's `words`;
    `execute` carries it out and says what it did (a `Said`: English in the ledger, the
    reader's language on pages and in the API).
    """

    kind: str
    label: str
    describe: Callable[[Params, Words], str]
    validate: Callable[[Session, Community, Params], Params]
    execute: Callable[[Session, Community, Params, Viewer], Said]


_registry: dict[str, ActionType] = {}


def register(*types: ActionType) -> None:
    """Add action types (the composition root registers every domain's `ACTIONS`)."""
    for action in types:
        _registry[action.kind] = action


def load_all() -> dict[str, ActionType]:
    """Every registered action type, by kind."""
    return _registry


def get(kind: str) -> ActionType:
    """The action type of that kind, or Invalid naming the known kinds."""
    registry = load_all()
    if not registry:
        raise RuntimeError(
            "No governance actions are registered: open the database with "
            "commonpot.wiring.open_database, which wires every domain's actions."
        )
    if kind not in registry:
        known = ", ".join(sorted(registry))
        raise Invalid(
            "Unknown action '%(kind)s'; known actions: %(known)s.",
            field="action.kind",
            kind=kind,
            known=known,
        )
    return registry[kind]

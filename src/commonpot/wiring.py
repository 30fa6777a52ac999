"""The composition root's wiring, shared by every entry point (web app, CLI, jobs, tests).

Domains never register themselves at import time: this module connects them explicitly,
once, when a database is opened: every domain's governance actions into the action
registry, and every session hook (membership changes written to the ledger) into the
database's session factories.
"""

from __future__ import annotations

from commonpot import actions
from commonpot.communities import actions as communities_actions
from commonpot.db import Database
from commonpot.ecology import actions as ecology_actions
from commonpot.events import actions as events_actions
from commonpot.federation import hooks as federation_hooks
from commonpot.governance import actions as governance_actions
from commonpot.governance import membership_log
from commonpot.models import load_all
from commonpot.network import actions as network_actions

ACTION_MODULES = (
    communities_actions,
    network_actions,
    governance_actions,
    events_actions,
    ecology_actions,
)
SESSION_HOOKS = (membership_log.install, federation_hooks.install)


def wire() -> None:
    """Register every domain's governance actions (idempotent)."""
    load_all()
    for module in ACTION_MODULES:
        actions.register(*module.ACTIONS)


def open_database(url: str, *, echo: bool = False) -> Database:
    """A Database on `url` whose sessions carry every domain's session hooks."""
    wire()
    return Database(url, echo=echo, session_hooks=SESSION_HOOKS)

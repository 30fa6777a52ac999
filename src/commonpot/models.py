"""Persistence's composition root: every domain's tables, and databases wired with the
session hooks that domains need (e.g. membership changes written to the ledger)."""

from __future__ import annotations

from commonpot.accounts import models as accounts_models
from commonpot.communities import models as communities_models
from commonpot.db import Base, Database
from commonpot.ecology import models as ecology_models
from commonpot.events import models as events_models
from commonpot.governance import membership_log
from commonpot.governance import models as governance_models
from commonpot.network import models as network_models
from commonpot.recipes import models as recipes_models

MODEL_MODULES = (
    accounts_models,
    communities_models,
    recipes_models,
    network_models,
    governance_models,
    events_models,
    ecology_models,
)
SESSION_HOOKS = (membership_log.install,)


def load_all() -> type[Base]:
    """The declarative base, with every domain's tables in its metadata."""
    return Base


def open_database(url: str, *, echo: bool = False) -> Database:
    """A Database on `url` whose sessions carry every domain's session hooks."""
    return Database(url, echo=echo, session_hooks=SESSION_HOOKS)

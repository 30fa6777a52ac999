"""The composition root's wiring, shared by every entry point (web app, CLI, jobs, tests).

Domains never register themselves at import time: this module connects them explicitly,
once, when a database is opened: every domain's governance actions into the action
registry, and every session hook (membership changes written to the ledger) into the
database's session factories.
"""

from __future__ import annotations

from commonpot import actions, signals
from commonpot.biotumblers import jobs as biotumbler_jobs
from commonpot.bus import Bus
from commonpot.communities import actions as communities_actions
from commonpot.db import Database
from commonpot.ecology import actions as ecology_actions
from commonpot.events import actions as events_actions
from commonpot.events import jobs as events_jobs
from commonpot.federation import hooks as federation_hooks
from commonpot.governance import actions as governance_actions
from commonpot.governance import jobs as governance_jobs
from commonpot.governance import membership_log
from commonpot.jobs import REGISTRY, Jobs
from commonpot.models import load_all
from commonpot.network import actions as network_actions
from commonpot.network import jobs as network_jobs
from commonpot.notifications import handlers as notification_handlers
from commonpot.notifications import jobs as notification_jobs
from commonpot.settings import Settings

ACTION_MODULES = (
    communities_actions,
    network_actions,
    governance_actions,
    events_actions,
    ecology_actions,
)
SESSION_HOOKS = (membership_log.install, signals.install, federation_hooks.install)
# every domain's background jobs and periodic schedule (commonpot.jobs runs them)
JOB_MODULES = (network_jobs, events_jobs, governance_jobs, notification_jobs, biotumbler_jobs)


def wire() -> None:
    """Register every domain's governance actions (idempotent)."""
    load_all()
    for module in ACTION_MODULES:
        actions.register(*module.ACTIONS)
    for jobs_module in JOB_MODULES:
        REGISTRY.register(*jobs_module.JOBS)
        REGISTRY.schedule(*jobs_module.PERIODIC)
    notification_handlers.connect()


def open_database(url: str, *, echo: bool = False) -> Database:
    """A Database on `url` whose sessions carry every domain's session hooks."""
    wire()
    return Database(url, echo=echo, session_hooks=SESSION_HOOKS)


def start_jobs(settings: Settings, db: Database, bus: Bus) -> Jobs:
    """The job runtime for this process: every domain's jobs, dispatched after each commit."""
    wire()
    return Jobs(settings, db, bus)

"""The composition root's wiring, shared by every entry point (web app, CLI, jobs, tests).

Domains never register themselves at import time: this module connects them explicitly,
once, when a database is opened: every domain's governance actions into the action
registry, and every session hook (membership changes written to the ledger) into the
database's session factories.

Importing this module loads no domain: each domain's part of the wiring is imported by
the function that registers it, so a command that needs only a narrow database (see
`open_ledger_database`) starts without loading every domain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from commonpot.db import Database

if TYPE_CHECKING:
    from commonpot.bus import Bus
    from commonpot.jobs import Jobs
    from commonpot.settings import Settings

SessionHook = Callable[[sessionmaker[Session]], None]


def _register_actions() -> None:
    """Every domain's governance action types, into the action registry."""
    from commonpot import actions
    from commonpot.communities import actions as communities_actions
    from commonpot.ecology import actions as ecology_actions
    from commonpot.events import actions as events_actions
    from commonpot.governance import actions as governance_actions
    from commonpot.network import actions as network_actions

    for module in (
        communities_actions,
        network_actions,
        governance_actions,
        events_actions,
        ecology_actions,
    ):
        actions.register(*module.ACTIONS)


def _register_jobs() -> None:
    """Every domain's background jobs and periodic schedule (commonpot.jobs runs them)."""
    from commonpot.biotumblers import jobs as biotumbler_jobs
    from commonpot.ecology import jobs as ecology_jobs
    from commonpot.events import jobs as events_jobs
    from commonpot.experiences import jobs as experience_jobs
    from commonpot.federation import jobs as federation_jobs
    from commonpot.governance import jobs as governance_jobs
    from commonpot.jobs import REGISTRY
    from commonpot.network import jobs as network_jobs
    from commonpot.notifications import jobs as notification_jobs
    from commonpot.recipes import jobs as recipe_jobs

    for jobs_module in (
        network_jobs,
        events_jobs,
        governance_jobs,
        notification_jobs,
        ecology_jobs,
        recipe_jobs,
        federation_jobs,
        biotumbler_jobs,
        experience_jobs,
    ):
        REGISTRY.register(*jobs_module.JOBS)
        REGISTRY.schedule(*jobs_module.PERIODIC)


def _session_hooks() -> tuple[SessionHook, ...]:
    """Every session hook: membership changes to the ledger, signals, federation activities."""
    from commonpot import signals
    from commonpot.federation import hooks as federation_hooks
    from commonpot.governance import membership_log

    return (membership_log.install, signals.install, federation_hooks.install)


def _register_calendar_sources() -> None:
    """Calendars a community's events list and feed take in: followed communities' events."""
    from commonpot import events
    from commonpot.federation import service as federation_service

    events.register_calendar_source("federation", federation_service.calendar_source)


def _register_listening_gates() -> None:
    """Who may hear a recipe's recordings: the teller's consent kept by experiences."""
    from commonpot import experiences, recipes

    recipes.register_listening_gate("experiences", experiences.audible_recordings)


def wire() -> None:
    """Register every domain's tables, governance actions, jobs and signal handlers (idempotent)."""
    from commonpot.models import load_all
    from commonpot.notifications import handlers as notification_handlers

    load_all()
    _register_actions()
    _register_jobs()
    _register_calendar_sources()
    _register_listening_gates()
    notification_handlers.connect()


def open_database(url: str, *, echo: bool = False) -> Database:
    """A Database on `url` whose sessions carry every domain's session hooks."""
    wire()
    return Database(url, echo=echo, session_hooks=_session_hooks())


def start_jobs(settings: Settings, db: Database, bus: Bus) -> Jobs:
    """The job runtime for this process: every domain's jobs, dispatched after each commit."""
    from commonpot.jobs import Jobs

    wire()
    return Jobs(settings, db, bus)


class NarrowWrite(RuntimeError):
    """A narrowly wired database was asked to write what only a fully wired one may."""


def _only_checkpoints(factory: sessionmaker[Session]) -> None:
    """Session hook: refuse any flush that writes anything but ledger checkpoints."""
    from commonpot.governance.models import Checkpoint

    @event.listens_for(factory, "before_flush")
    def _refuse(session: Session, _ctx: object, _instances: object) -> None:
        changed = [
            *session.new,
            *session.deleted,
            *(obj for obj in session.dirty if session.is_modified(obj)),
        ]
        for obj in changed:
            if not isinstance(obj, Checkpoint):
                raise NarrowWrite(
                    f"a ledger-only database cannot write {type(obj).__name__} rows: "
                    "open it with commonpot.wiring.open_database, which wires every domain"
                )


def open_ledger_database(url: str, *, echo: bool = False) -> Database:
    """A Database for commands that only read ledgers and sign checkpoints (`commonpot ledger`).

    It loads only the tables those commands read (accounts, communities, governance) and
    registers no actions, jobs or signal handlers; in exchange its sessions refuse to
    write anything but checkpoints, so nothing that the full wiring's hooks (membership
    log, federation, notifications) would react to can be written through it.
    """
    from commonpot.accounts import models as accounts_models
    from commonpot.communities import models as communities_models
    from commonpot.governance import models as governance_models

    del accounts_models, communities_models, governance_models  # loaded for their tables
    return Database(url, echo=echo, session_hooks=(_only_checkpoints,))

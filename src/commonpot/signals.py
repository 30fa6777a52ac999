"""Typed domain events ("signals"): a domain emits a small dataclass, the wiring decides who hears.

`emit(session, event)` remembers the event on the session; just before that session commits,
every handler connected (by the composition root, never at import time) for the event's type
runs in the same transaction. A handler only records what must happen next (a notification
job, say), so a rolled-back transaction tells nobody anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

E = TypeVar("E")
QUEUE_KEY = "signals.queue"
MARKS_KEY = "signals.savepoints"
_handlers: dict[type[Any], list[Callable[[Session, Any], None]]] = {}


def connect(kind: type[E], handler: Callable[[Session, E], None]) -> None:
    """Call `handler(session, event)` for every event of type `kind` (twice is a no-op)."""
    found = _handlers.setdefault(kind, [])
    if handler not in found:
        found.append(handler)


def disconnect_all() -> None:
    """Forget every handler (tests)."""
    _handlers.clear()


def emit(session: Session, event: object) -> None:
    """Remember an event; its handlers run just before this session's transaction commits."""
    session.info.setdefault(QUEUE_KEY, []).append(event)


def deliver(session: Session) -> int:
    """Run the handlers of every queued event (and of events they emit); how many were delivered."""
    count = 0
    for _ in range(10):  # handlers may emit events of their own; never loop forever
        queued: list[object] = session.info.pop(QUEUE_KEY, [])
        if not queued:
            break
        for item in queued:
            for handler in _handlers.get(type(item), ()):
                handler(session, item)
            count += 1
    return count


def install(factory: sessionmaker[Session]) -> None:
    """Session hook: deliver queued events before each commit; drop them on rollback.

    A savepoint (`session.begin_nested()`) that rolls back drops the events emitted inside
    it, so a form that failed and is shown again tells nobody about what it did not do.
    """

    @sa_event.listens_for(factory, "before_commit")
    def _before_commit(session: Session) -> None:
        deliver(session)

    @sa_event.listens_for(factory, "after_transaction_create")
    def _savepoint_begins(session: Session, transaction: Any) -> None:
        if transaction.nested:
            marks = session.info.setdefault(MARKS_KEY, {})
            marks[id(transaction)] = len(session.info.get(QUEUE_KEY, ()))

    # `after_rollback` also fires for a savepoint, where it must not forget what was emitted
    # before the savepoint began: the transaction that rolled back says how far to go back
    @sa_event.listens_for(factory, "after_soft_rollback")
    def _rolled_back(session: Session, previous: Any) -> None:
        if previous.nested:
            mark = session.info.get(MARKS_KEY, {}).pop(id(previous), None)
            queued = session.info.get(QUEUE_KEY)
            if mark is not None and queued is not None:
                del queued[mark:]
        elif previous.parent is None:
            session.info.pop(QUEUE_KEY, None)
            session.info.pop(MARKS_KEY, None)

"""Changes to recipes, events and gatherings become federation activities (wired by
`commonpot.wiring`).

Listens to the flushes of a `Database`'s sessions: new, changed and deleted recipes, events
and gatherings seen in `after_flush` are queued in `after_flush_postexec`, in the same
transaction. A gathering counts as changed only when what is announced changes (its title,
start or whether it is open), never as its host moves through the story.
The delivery pass decides whether each change may leave the instance. Nothing is
registered at import time.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from commonpot import events, experiences, recipes
from commonpot.federation.delivery import queue_changes

_KEY = "fed_changes"
ANNOUNCED = ("title", "starts_at", "is_open", "recipe_id")  # what a gathering's object shows


def _announced_change(obj: experiences.Gathering) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in ANNOUNCED)


def _collect(session: Session, _ctx: UOWTransaction) -> None:
    changes: list[tuple[str, int, int, str]] = []
    for group, verb, dirty in (
        (session.new, "change", False),
        (session.dirty, "change", True),
        (session.deleted, "delete", False),
    ):
        for obj in group:
            if isinstance(obj, recipes.Recipe):
                kind = "recipe"
            elif isinstance(obj, events.Event):
                kind = "event"
            elif isinstance(obj, experiences.Gathering):
                kind = "gathering"
                if dirty and not _announced_change(obj):
                    continue
            else:
                continue
            if verb == "change" and obj in session.dirty and not session.is_modified(obj):
                continue
            changes.append((kind, obj.community_id, obj.id, verb))
    if changes:
        session.info.setdefault(_KEY, []).extend(changes)


def _queue(session: Session, _ctx: UOWTransaction) -> None:
    changes = session.info.pop(_KEY, [])
    if changes:
        queue_changes(session, dict.fromkeys(changes))


def install(factory: sessionmaker[Session]) -> None:
    """Queue federation activities for recipe and event changes made through this factory."""
    event.listen(factory, "after_flush", _collect)
    event.listen(factory, "after_flush_postexec", _queue)

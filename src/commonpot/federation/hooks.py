"""Changes to recipes, events and gatherings become federation activities (wired by
`commonpot.wiring`).

Listens to the flushes of a `Database`'s sessions: new, changed and deleted recipes, events
and gatherings seen in `after_flush` are queued in `after_flush_postexec`, in the same
transaction. A gathering counts as changed only when what is announced changes (its title,
start or whether it is open), never as its host moves through the story. A deleted recipe's
gatherings go with it in the database (a cascade no session sees), so `before_flush` notes
them as deleted too, while they can still be found.
The delivery pass decides whether each change may leave the instance. Nothing is
registered at import time.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from commonpot import events, experiences, recipes
from commonpot.federation.delivery import queue_changes

_KEY = "fed_changes"
_GONE = "fed_gone_gatherings"  # gatherings of recipes this flush deletes (noted before it)
ANNOUNCED = ("title", "starts_at", "is_open", "recipe_id")  # what a gathering's object shows


def _announced_change(obj: experiences.Gathering) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in ANNOUNCED)


def _collect(session: Session, _ctx: UOWTransaction) -> None:
    changes: list[tuple[str, int, int, str]] = session.info.pop(_GONE, [])
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


def _gatherings_of_deleted_recipes(session: Session, _ctx: UOWTransaction, _objs: object) -> None:
    # replaced on every flush: what a failed flush noted is never queued by a later one
    session.info.pop(_GONE, None)
    gone = [obj.id for obj in session.deleted if isinstance(obj, recipes.Recipe)]
    if not gone:
        return
    Gathering = experiences.Gathering  # noqa: N806 (a table)
    with session.no_autoflush:
        rows = session.execute(
            select(Gathering.community_id, Gathering.id).where(Gathering.recipe_id.in_(gone))
        ).all()
    changes = [
        ("gathering", community_id, gathering_id, "delete") for community_id, gathering_id in rows
    ]
    session.info[_GONE] = changes


def _queue(session: Session, _ctx: UOWTransaction) -> None:
    changes = session.info.pop(_KEY, [])
    if changes:
        queue_changes(session, dict.fromkeys(changes))


def install(factory: sessionmaker[Session]) -> None:
    """Queue federation activities for recipe and event changes made through this factory."""
    event.listen(factory, "before_flush", _gatherings_of_deleted_recipes)
    event.listen(factory, "after_flush", _collect)
    event.listen(factory, "after_flush_postexec", _queue)

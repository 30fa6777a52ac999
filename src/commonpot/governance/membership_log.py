"""Membership changes (join, leave, role) go to the community's ledger, whoever makes them.

Listens to the flushes of the sessions of a `Database` built by the composition root
(`commonpot.models.open_database`): changes seen in `after_flush` are appended as ledger
entries in `after_flush_postexec`, within the same transaction (flushed with it, or rolled
back with it). Nothing is registered at import time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from commonpot.communities import Community, Membership

_KEY = "gov_membership_changes"


def _collect(session: Session, _ctx: UOWTransaction) -> None:
    changes: list[tuple[str, int, dict[str, Any]]] = []
    for obj in session.new:
        if isinstance(obj, Membership):
            changes.append(("membership.joined", obj.community_id, _who(obj)))
    for obj in session.deleted:
        if isinstance(obj, Membership):
            changes.append(("membership.left", obj.community_id, _who(obj)))
    for obj in session.dirty:
        if isinstance(obj, Membership) and inspect(obj).attrs.role.history.has_changes():
            changes.append(("membership.role_changed", obj.community_id, _who(obj)))
    if changes:
        session.info.setdefault(_KEY, []).extend(changes)


def _who(membership: Membership) -> dict[str, Any]:
    return {"member": membership.user_id, "role": membership.role}


def _append(session: Session, _ctx: UOWTransaction) -> None:
    from commonpot.governance import ledger

    changes = session.info.pop(_KEY, [])
    for kind, community_id, payload in changes:
        community = session.get(Community, community_id)
        if community is not None:
            ledger.append(session, community, kind, payload, flush=False)


def install(factory: sessionmaker[Session]) -> None:
    """Write membership changes made through this session factory's sessions to the ledger."""
    event.listen(factory, "after_flush", _collect)
    event.listen(factory, "after_flush_postexec", _append)

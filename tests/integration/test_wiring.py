"""Cross-domain reactions are wired by the composition root, not by importing a module."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.communities.models import Community, Membership
from commonpot.communities.service import add_member
from commonpot.db import Database
from commonpot.governance import ledger
from commonpot.wiring import NarrowWrite, open_database, open_ledger_database
from tests.factories.accounts import make_community, make_user


def test_membership_changes_reach_the_ledger_through_wired_databases_only(
    db: Database, db_url: str
) -> None:
    with db.unit_of_work() as s:
        steward = make_user(s, "Steward")
        community_id = make_community(s, steward).id
        size_after_founding = ledger.size(s, s.get(Community, community_id))  # type: ignore[arg-type]
    assert size_after_founding >= 1  # the founding steward's membership is on the ledger

    plain = Database(db_url)  # no session hooks: a bare engine, as a tool might open one
    try:
        with plain.unit_of_work() as s:
            add_member(s, s.get(Community, community_id), make_user(s, "Quiet"))  # type: ignore[arg-type]
        with plain.unit_of_work(write=False) as s:
            assert ledger.size(s, s.get(Community, community_id)) == size_after_founding  # type: ignore[arg-type]
    finally:
        plain.dispose()

    wired = open_database(db_url)
    try:
        with wired.unit_of_work() as s:
            add_member(s, s.get(Community, community_id), make_user(s, "Seen"))  # type: ignore[arg-type]
        with wired.unit_of_work(write=False) as s:
            assert ledger.size(s, s.get(Community, community_id)) == size_after_founding + 1  # type: ignore[arg-type]
    finally:
        wired.dispose()


def test_a_ledger_only_database_refuses_every_write_but_checkpoints(
    db: Database, db_url: str
) -> None:
    """The narrow database `commonpot ledger` opens carries no hooks, so it may not write
    what the hooks react to: a membership change through it fails and nothing is stored."""
    with db.unit_of_work() as s:
        steward = make_user(s, "Steward")
        community_id = make_community(s, steward).id
        quiet = make_user(s, "Quiet").id
        members_before = _members(s, community_id)
    narrow = open_ledger_database(db_url)
    try:
        with pytest.raises(NarrowWrite, match="ledger-only"), narrow.unit_of_work() as s:
            community = s.get(Community, community_id)
            assert community is not None
            ledger.seal(s, community, None)  # reading is fine
            user = s.get(User, quiet)
            assert user is not None
            add_member(s, community, user)
    finally:
        narrow.dispose()
    with db.unit_of_work(write=False) as s:
        assert _members(s, community_id) == members_before


def _members(s: Session, community_id: int) -> int:
    count = select(func.count()).select_from(Membership)
    return s.scalar(count.where(Membership.community_id == community_id)) or 0

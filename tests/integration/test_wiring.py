"""Cross-domain reactions are wired by the composition root, not by importing a module."""

from __future__ import annotations

from commonpot.communities.models import Community
from commonpot.communities.service import add_member
from commonpot.db import Database
from commonpot.governance import ledger
from commonpot.wiring import open_database
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

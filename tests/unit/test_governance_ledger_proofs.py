"""Ledger proofs from the kept tree: they follow appends, and a rolled-back append is not kept."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.errors import NotFound
from commonpot.governance import ledger
from commonpot.governance.merkle import root_from_leaf_hashes, verify_consistency, verify_inclusion
from tests.factories.accounts import make_community, make_user


def _append(db: Database, cid: int, count: int, label: str) -> None:
    with db.unit_of_work() as s:
        community = s.scalars(select(Community).where(Community.id == cid)).one()
        for i in range(count):
            ledger.append(s, community, "test.note", {"note": f"{label}-{i}"})


def _check(db: Database, cid: int) -> None:
    """Every inclusion and consistency proof verifies against the root recomputed from rows."""
    with db.unit_of_work(write=False) as s:
        community = s.scalars(select(Community).where(Community.id == cid)).one()
        hashes = ledger.leaf_hashes(s, community)
        n = len(hashes)
        root = root_from_leaf_hashes(hashes)
        for index in range(n):
            proof = ledger.inclusion_proof(s, community, index, n)
            verify_inclusion(hashes[index], index, n, [base64.b64decode(p) for p in proof], root)
        for first in range(1, n + 1):
            proof = ledger.consistency_proof(s, community, first, n)
            verify_consistency(
                first,
                n,
                [base64.b64decode(p) for p in proof],
                root_from_leaf_hashes(hashes[:first]),
                root,
            )


def test_proofs_follow_appends_and_forget_rolled_back_entries(db: Database) -> None:
    with db.unit_of_work() as s:
        cid = make_community(s, make_user(s)).id
    _append(db, cid, 5, "a")
    _check(db, cid)
    _append(db, cid, 6, "b")  # the kept tree grows by the new entries only
    _check(db, cid)
    # a proof asked inside a transaction whose appends are then rolled back
    with db.unit_of_work() as s:
        community = s.scalars(select(Community).where(Community.id == cid)).one()
        size = ledger.size(s, community)
        for i in range(3):
            ledger.append(s, community, "test.note", {"note": f"phantom-{i}"})
        ledger.inclusion_proof(s, community, size + 2, size + 3)
        s.rollback()
    _append(db, cid, 3, "c")  # same sequence numbers, other entries
    _check(db, cid)
    with db.unit_of_work(write=False) as s:
        community = s.scalars(select(Community).where(Community.id == cid)).one()
        with pytest.raises(NotFound):
            ledger.inclusion_proof(s, community, 0, 100)

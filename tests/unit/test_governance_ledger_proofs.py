"""Ledger proofs from stored nodes: they follow appends, forget rolled-back ones, read O(log n)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, event, select

from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.errors import NotFound
from commonpot.governance import ledger
from commonpot.governance.merkle import (
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from commonpot.governance.models import LedgerNode
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


def _statements(db: Database) -> tuple[list[str], Callable[[], None]]:
    """Every SQL statement the database runs from now on, and a function to stop listening."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engines = {db.engine, db.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)

    def stop() -> None:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)

    return seen, stop


def test_a_first_proof_reads_a_few_rows_not_the_ledger(db: Database) -> None:
    """Right after start-up (nothing kept in memory) a proof is a fixed number of queries."""
    with db.unit_of_work() as s:
        cid = make_community(s, make_user(s)).id
    _append(db, cid, 300, "n")
    with db.unit_of_work(write=False) as s:
        community = s.scalars(select(Community).where(Community.id == cid)).one()
        hashes = ledger.leaf_hashes(s, community)
    seen, stop = _statements(db)
    try:
        for size in (1, 2, 37, 128, 255, 300):
            root = root_from_leaf_hashes(hashes[:size])
            for index in {0, size // 2, size - 1}:
                with db.unit_of_work(write=False) as s:
                    community = s.get_one(Community, cid)
                    seen.clear()
                    proof = ledger.inclusion_proof(s, community, index, size)
                    # size check, leaves, interior nodes: never one query per entry
                    assert len(seen) <= 3, seen
                decoded = [base64.b64decode(p) for p in proof]
                verify_inclusion(hashes[index], index, size, decoded, root)
            with db.unit_of_work(write=False) as s:
                community = s.get_one(Community, cid)
                seen.clear()
                proof = ledger.consistency_proof(s, community, max(1, size // 3), size)
                assert len(seen) <= 3, seen
            first = max(1, size // 3)
            verify_consistency(
                first,
                size,
                [base64.b64decode(p) for p in proof],
                root_from_leaf_hashes(hashes[:first]),
                root,
            )
    finally:
        stop()


def test_appends_store_exactly_the_complete_subtrees(db: Database) -> None:
    with db.unit_of_work() as s:
        cid = make_community(s, make_user(s)).id
    _append(db, cid, 21, "a")
    _append(db, cid, 1, "b")
    _append(db, cid, 10, "c")

    def stored() -> set[tuple[int, int, str]]:
        with db.unit_of_work(write=False) as s:
            rows = s.execute(
                select(LedgerNode.level, LedgerNode.position, LedgerNode.hash).where(
                    LedgerNode.community_id == cid
                )
            )
            return {(level, position, digest) for level, position, digest in rows}

    appended = stored()
    with db.unit_of_work(write=False) as s:
        community = s.get_one(Community, cid)
        hashes = ledger.leaf_hashes(s, community)
    n = len(hashes)
    assert n >= 32
    # sum of n // 2**k over the levels above the leaves
    assert len(appended) == n - n.bit_count()
    with db.unit_of_work() as s:
        community = s.get_one(Community, cid)
        assert ledger.rebuild_nodes(s, community) == n - n.bit_count()
    assert stored() == appended
    top = n.bit_length() - 1
    assert (top, 0, root_from_leaf_hashes(hashes[: 1 << top]).hex()) in appended
    assert (1, 3, node_hash(hashes[6], hashes[7]).hex()) in appended


def test_proofs_of_a_ledger_without_stored_nodes_still_verify(db: Database) -> None:
    """Entries written in bulk without their nodes: the missing subtrees are hashed instead."""
    with db.unit_of_work() as s:
        cid = make_community(s, make_user(s)).id
    _append(db, cid, 13, "bulk")
    with db.unit_of_work() as s:
        s.execute(delete(LedgerNode).where(LedgerNode.community_id == cid))
    _check(db, cid)

"""A community's ledger as a stored Merkle tree: its leaves, its nodes and the proofs over them.

`append` (in `ledger`) stores, with each entry, the complete subtrees its leaf closes, so
that an RFC 9162 inclusion or consistency proof reads O(log n) stored hashes in two queries
instead of hashing the whole log. Ledgers written without their nodes (in bulk, or before
nodes were stored) are answered from their leaves, and `rebuild_nodes` stores them afresh.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import bindparam, delete, func, insert, select, union_all
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.errors import Invalid, NotFound
from commonpot.governance.merkle import (
    MerkleLog,
    ProofError,
    StoredTree,
    node_hash,
    root_from_leaf_hashes,
)
from commonpot.governance.models import LedgerEntry, LedgerNode

T = TypeVar("T")


def size(session: Session, community: Community) -> int:
    """Number of entries in the community's log: one past the last sequence number (entries
    are numbered 0, 1, 2... and never removed), read from the (community, seq) index in a
    step where counting them would read the whole log on every governance read and vote."""
    last = session.scalar(_LAST_SEQ, {"community_id": community.id})
    return 0 if last is None else int(last) + 1


_LAST_SEQ = select(func.max(LedgerEntry.seq)).where(  # built once per process
    LedgerEntry.community_id == bindparam("community_id")
)


def leaf_hashes(session: Session, community: Community, upto: int | None = None) -> list[bytes]:
    """Stored leaf hashes in order (the first `upto`)."""
    query = (
        select(LedgerEntry.leaf_hash)
        .where(LedgerEntry.community_id == community.id)
        .order_by(LedgerEntry.seq)
    )
    if upto is not None:
        query = query.limit(upto)
    return [bytes.fromhex(h) for h in session.scalars(query)]


def _read_nodes(
    session: Session, community: Community, wanted: set[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the wanted (level, position) complete subtrees: two queries."""
    found: dict[tuple[int, int], bytes] = {}
    leaves = sorted(position for level, position in wanted if level == 0)
    if leaves:
        for seq, digest in session.execute(
            select(LedgerEntry.seq, LedgerEntry.leaf_hash).where(
                LedgerEntry.community_id == community.id, LedgerEntry.seq.in_(leaves)
            )
        ):
            found[0, seq] = bytes.fromhex(digest)
    levels: dict[int, list[int]] = {}
    for level, position in sorted(wanted):
        if level > 0:
            levels.setdefault(level, []).append(position)
    if levels:
        # one primary-key lookup per level, in one statement (SQLite scans the community's
        # nodes for an OR of levels or a row-value IN list)
        columns = (LedgerNode.level, LedgerNode.position, LedgerNode.hash)
        per_level = [
            select(*columns).where(
                LedgerNode.community_id == community.id,
                LedgerNode.level == level,
                LedgerNode.position.in_(positions),
            )
            for level, positions in levels.items()
        ]
        query = per_level[0] if len(per_level) == 1 else union_all(*per_level)
        for level, position, digest in session.execute(query):
            found[level, position] = bytes.fromhex(digest)
    return found


def _computed_nodes(
    session: Session, community: Community, wanted: set[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """Complete subtrees hashed from their leaves: for ledgers written without stored nodes."""
    found: dict[tuple[int, int], bytes] = {}
    for level, position in wanted:
        leaves = session.scalars(
            select(LedgerEntry.leaf_hash)
            .where(
                LedgerEntry.community_id == community.id,
                LedgerEntry.seq >= position << level,
                LedgerEntry.seq < (position + 1) << level,
            )
            .order_by(LedgerEntry.seq)
        ).all()
        if len(leaves) == 1 << level:
            found[level, position] = root_from_leaf_hashes([bytes.fromhex(h) for h in leaves])
    return found


def _stored_tree(
    session: Session, community: Community, tree_size: int, ask: Callable[[StoredTree], T]
) -> T:
    """`ask` of the community's tree of `size` leaves, reading only the nodes it needs.

    A dry run with no nodes names the O(log n) complete subtrees the answer needs; they are
    read in two queries (entries for leaves, stored nodes for the rest), and `ask` runs again.
    """
    last = select(LedgerEntry.id).where(
        LedgerEntry.community_id == community.id, LedgerEntry.seq == tree_size - 1
    )
    if tree_size and session.scalar(last) is None:  # entries are numbered without gaps
        raise NotFound(
            "The log has only %(size)s entries.",
            field="tree_size",
            size=size(session, community),
        )
    dry = StoredTree(tree_size)
    ask(dry)
    nodes = _read_nodes(session, community, dry.missing)
    if len(nodes) < len(dry.missing):  # entries written without their nodes
        nodes.update(_computed_nodes(session, community, dry.missing - nodes.keys()))
    tree = StoredTree(tree_size, nodes)
    answer = ask(tree)
    if tree.missing:
        raise NotFound(
            "The log has only %(size)s entries.",
            field="tree_size",
            size=size(session, community),
        )
    return answer


def inclusion_proof(
    session: Session, community: Community, index: int, tree_size: int
) -> list[str]:
    """RFC 9162 inclusion proof, base64 hashes: O(log n) stored hashes read."""
    if not 0 <= index < tree_size:
        raise Invalid("Need 0 <= index < tree_size.", field="index")
    proof = _stored_tree(
        session, community, tree_size, lambda tree: tree.inclusion_proof(index, tree_size)
    )
    return [base64.b64encode(h).decode() for h in proof]


def consistency_proof(session: Session, community: Community, first: int, second: int) -> list[str]:
    """RFC 9162 consistency proof, base64 hashes: O(log n) stored hashes read."""
    if not 0 < first <= second:
        raise Invalid("Need 0 < first <= second.", field="first")
    try:
        proof = _stored_tree(
            session, community, second, lambda tree: tree.consistency_proof(first, second)
        )
    except ProofError as exc:
        raise Invalid(str(exc), field="first") from None
    return [base64.b64encode(h).decode() for h in proof]


def _pending_node(
    session: Session, community: Community, level: int, position: int
) -> bytes | None:
    """A node (or leaf) added in this session but not yet flushed."""
    for obj in session.new:
        if level == 0 and isinstance(obj, LedgerEntry):
            if obj.community_id == community.id and obj.seq == position:
                return bytes.fromhex(obj.leaf_hash)
        elif isinstance(obj, LedgerNode) and (obj.community_id, obj.level, obj.position) == (
            community.id,
            level,
            position,
        ):
            return bytes.fromhex(obj.hash)
    return None


def _stored_node(session: Session, community: Community, level: int, position: int) -> bytes:
    """A complete subtree's hash for an append: pending in the session, stored, or computed."""
    found = _pending_node(session, community, level, position)
    if found is not None:
        return found
    stored = _read_nodes(session, community, {(level, position)})
    if not stored:  # a ledger written without its nodes
        stored = _computed_nodes(session, community, {(level, position)})
    if not stored:
        raise NotFound(
            "ledger node %(level)s/%(position)s is missing",
            field="ledger",
            level=str(level),
            position=str(position),
        )
    return stored[level, position]


def add_nodes(session: Session, community: Community, seq: int, digest: bytes) -> None:
    """Store the complete subtrees that leaf `seq` closes (a binary counter's carries)."""
    level, position, current = 0, seq, digest
    while position & 1:
        current = node_hash(_stored_node(session, community, level, position - 1), current)
        level, position = level + 1, position >> 1
        session.add(
            LedgerNode(
                community_id=community.id, level=level, position=position, hash=current.hex()
            )
        )


def rebuild_nodes(session: Session, community: Community) -> int:
    """Store every complete subtree of the ledger afresh (for entries written in bulk)."""
    session.execute(delete(LedgerNode).where(LedgerNode.community_id == community.id))
    tree = MerkleLog.from_leaf_hashes(leaf_hashes(session, community))
    rows = [
        {"community_id": community.id, "level": depth, "position": position, "hash": h.hex()}
        for depth, position, h in tree.complete_subtrees()
    ]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(LedgerNode), rows[start : start + 10_000])
    return len(rows)

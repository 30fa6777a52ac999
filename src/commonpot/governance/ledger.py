"""A community's ledger in the database: append events, sign checkpoints, verify.

Each entry is canonical JSON (RFC 8785) holding the community slug, its sequence number,
the event type and time; the leaf hash is SHA-256(0x00 || UTF-8 bytes of the entry).
Checkpoints are C2SP signed notes by the instance key (PEM file from settings, or one
generated into the data directory with mode 0600: never in the database).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from sqlalchemy import Integer, bindparam, select, text
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Invalid, Worded
from commonpot.governance.canonical import canonical_text
from commonpot.governance.ledger_tree import (
    add_nodes,
    consistency_proof,
    inclusion_proof,
    leaf_hashes,
    rebuild_nodes,
    size,
)
from commonpot.governance.merkle import CompactRange, leaf_hash
from commonpot.governance.models import Checkpoint as CheckpointRow
from commonpot.governance.models import LedgerEntry
from commonpot.governance.notes import (
    Checkpoint,
    Signer,
    Verifier,
    key_name_of,
    sign_checkpoint,
)
from commonpot.governance.verification import MAX_PAGE, Report, check_checkpoint, check_entries
from commonpot.settings import Settings

# the stored tree's reads and proofs, used as `ledger.size`, `ledger.inclusion_proof`, ...
__all__ = [
    "LEDGER_LOCK_SPACE",
    "append",
    "consistency_proof",
    "empty_note",
    "entries",
    "entry_digest",
    "entry_rows",
    "inclusion_proof",
    "instance_signer",
    "instance_verifier",
    "key_name",
    "latest",
    "leaf_hashes",
    "lock",
    "newest",
    "newest_and_size",
    "origin",
    "rebuild_nodes",
    "seal",
    "size",
    "verify",
]

# first key of the two-key PostgreSQL advisory lock that serialises a community's ledger
# appends (the second key is the community id); b"LG" so it cannot collide by accident
LEDGER_LOCK_SPACE = 0x4C47


def key_name(settings: Settings) -> str:
    """The signed-note key name: the instance name without spaces or '+'."""
    return key_name_of(settings.instance_name)


@lru_cache(maxsize=8)
def _load_key(path: str) -> Ed25519PrivateKey:
    key = load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise Invalid("The ledger key file must hold an Ed25519 private key.", field="ledger_key")
    return key


def instance_signer(settings: Settings) -> Signer:
    """The instance's checkpoint signer (creating its key file on first use)."""
    path = settings.ledger_key_file or settings.data_dir / "ledger_key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    return Signer(key_name(settings), _load_key(str(path.resolve())))


def instance_verifier(settings: Settings) -> Verifier:
    """The instance's verifier key."""
    return instance_signer(settings).verifier


def origin(settings: Settings, community: Community) -> str:
    """The checkpoint origin line of a community's log."""
    return f"{key_name(settings)}/ledger/{community.slug}"


def lock(session: Session, community: Community) -> None:
    """Take the community's ledger lock for the rest of the transaction (re-entrant).

    Appends must be serialised (each entry's sequence number counts the ones before it).
    Locking the community row FOR UPDATE deadlocked: a request that had already inserted a
    row referencing the community (a vote, a membership) holds a FOR KEY SHARE lock on it,
    which conflicts with FOR UPDATE, so two such requests waited on each other. A
    transaction-scoped advisory lock conflicts with no row lock, so the only waiting is for
    the ledger itself. Paths that take other locks after appending (proposals, grants)
    take this lock first, so every transaction acquires it before its other row locks.
    On SQLite a write transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :community)"),
        {"space": LEDGER_LOCK_SPACE, "community": community.id},
    )


def append(
    session: Session,
    community: Community,
    kind: str,
    payload: dict[str, Any],
    *,
    flush: bool = True,
) -> LedgerEntry:
    """Add one event to the community's log (the caller's transaction holds the write).

    With flush=False (inside a flush hook) the entry stays pending; its sequence number
    counts the entries still pending in the session too.
    """
    lock(session, community)
    with session.no_autoflush:
        pending = sum(
            1
            for obj in session.new
            if isinstance(obj, LedgerEntry) and obj.community_id == community.id
        )
        seq = size(session, community) + pending
    at: datetime = utcnow()
    entry = {
        **payload,
        "community": community.slug,
        "seq": seq,
        "type": kind,
        "at": at.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    data = canonical_text(entry)
    row = LedgerEntry(
        community_id=community.id,
        seq=seq,
        data=data,
        leaf_hash=leaf_hash(data.encode()).hex(),
        created_at=at,
    )
    session.add(row)
    with session.no_autoflush:
        add_nodes(session, community, seq, bytes.fromhex(row.leaf_hash))
    if flush:
        session.flush()
    return row


def seal(session: Session, community: Community, settings: Settings | None) -> CheckpointRow | None:
    """Sign a checkpoint for the current tree if it grew (no settings: leave it for later)."""
    if settings is None:
        return latest(session, community)
    lock(session, community)  # two sealers would both sign (and store) the same size
    last = latest(session, community)
    count = size(session, community)
    if last is not None and last.size == count:
        return last
    if last is not None and len(last.frontier) == last.size.bit_count():
        tree = CompactRange(last.size, [bytes.fromhex(h) for h in last.frontier])
        start = last.size
    else:
        tree, start = CompactRange(), 0
    for digest in session.scalars(
        select(LedgerEntry.leaf_hash)
        .where(LedgerEntry.community_id == community.id, LedgerEntry.seq >= start)
        .order_by(LedgerEntry.seq)
    ):
        tree.append(bytes.fromhex(digest))
    root = tree.root()
    note = sign_checkpoint(
        Checkpoint(origin(settings, community), tree.size, root), instance_signer(settings)
    )
    row = CheckpointRow(
        community_id=community.id,
        size=tree.size,
        root=root.hex(),
        note=note,
        frontier=[h.hex() for h in tree.nodes],
    )
    session.add(row)
    session.flush()
    return row


def empty_note(settings: Settings, community: Community) -> str:
    """The signed checkpoint of a log with no entries yet (not stored)."""
    tree = CompactRange()
    return sign_checkpoint(
        Checkpoint(origin(settings, community), 0, tree.root()), instance_signer(settings)
    )


def latest(session: Session, community: Community) -> CheckpointRow | None:
    """The newest signed checkpoint."""
    return session.scalar(_LATEST, {"community_id": community.id})


_LATEST = (  # asked by every ledger read and append: built once per process
    select(CheckpointRow)
    .where(CheckpointRow.community_id == bindparam("community_id"))
    .order_by(CheckpointRow.size.desc())
    .limit(1)
)


def newest(session: Session, community: Community, count: int) -> list[Any]:
    """The newest `count` entries as rows (seq, data), newest first (the ledger page)."""
    values = {"community_id": community.id, "count": max(0, min(count, MAX_PAGE))}
    return list(session.execute(_NEWEST, values))


def newest_and_size(session: Session, community: Community, count: int) -> tuple[list[Any], int]:
    """`newest` (at least one entry asked) and the log's `size`, from the same statement:
    entries are numbered 0, 1, 2... and never removed, so the newest one's number says how
    many there are (and the two agree, where two reads might see a write between them)."""
    rows = newest(session, community, max(count, 1))
    return rows, int(rows[0].seq) + 1 if rows else 0


_NEWEST = (
    select(LedgerEntry.seq, LedgerEntry.data)
    .where(LedgerEntry.community_id == bindparam("community_id"))
    .order_by(LedgerEntry.seq.desc())
    .limit(bindparam("count", type_=Integer))
)


def entries(session: Session, community: Community, start: int, end: int) -> list[LedgerEntry]:
    """Entries start..end-1 (at most 1000)."""
    if start < 0 or end < start:
        raise Invalid("Need 0 <= start <= end.", field="start")
    if end - start > MAX_PAGE:
        raise Invalid("At most %(most)s entries per request.", field="end", most=MAX_PAGE)
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.community_id == community.id,
                LedgerEntry.seq >= start,
                LedgerEntry.seq < end,
            )
            .order_by(LedgerEntry.seq)
        )
    )


def entry_rows(session: Session, community: Community) -> list[tuple[int, str, str | None]]:
    """Every (seq, data, stored leaf hash) of the community's ledger, in order."""
    result = session.connection().execute(
        select(LedgerEntry.seq, LedgerEntry.data, LedgerEntry.leaf_hash)
        .where(LedgerEntry.community_id == community.id)
        .order_by(LedgerEntry.seq)
    )
    # plain tuples straight from the driver's cursor (the columns need no conversion): no
    # ORM objects nor Row wrappers for a million rows
    try:
        rows = cast("list[tuple[int, str, str | None]]", result.cursor.fetchall())
    finally:
        result.close()
    return rows


def verify(
    session: Session,
    community: Community,
    settings: Settings,
    rows: Sequence[tuple[int, str, str | None]] | None = None,
) -> Report:
    """Recompute the whole log, check every entry, signature and the latest checkpoint.

    `rows` are the ledger's `entry_rows`, when the caller has read them already.
    """
    report = Report()
    if rows is None:
        rows = entry_rows(session, community)
    hashes = check_entries(community.slug, rows, report)
    last = latest(session, community)
    if last is None:
        if rows:
            report.bad(None, Worded("no signed checkpoint", {}))
        return report
    root = check_checkpoint(
        last.note, instance_verifier(settings), origin(settings, community), hashes, report
    )
    if root is not None and last.root != root.hex():
        report.bad(None, Worded("stored checkpoint root differs from the recomputed one", {}))
    return report


def entry_digest(data: str) -> str:
    """Hex SHA-256 of an entry (handy for display)."""
    return hashlib.sha256(data.encode()).hexdigest()

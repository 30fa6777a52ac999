"""A community's ledger in the database: append events, sign checkpoints, prove, verify.

Each entry is canonical JSON (RFC 8785) holding the community slug, its sequence number,
the event type and time; the leaf hash is SHA-256(0x00 || UTF-8 bytes of the entry).
Checkpoints are C2SP signed notes by the instance key (PEM file from settings, or one
generated into the data directory with mode 0600: never in the database).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from weakref import WeakKeyDictionary

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Invalid, NotFound
from commonpot.governance.canonical import canonical_text
from commonpot.governance.merkle import (
    CompactRange,
    MerkleLog,
    ProofError,
    leaf_hash,
)
from commonpot.governance.models import Checkpoint as CheckpointRow
from commonpot.governance.models import LedgerEntry
from commonpot.governance.notes import (
    Checkpoint,
    Signer,
    Verifier,
    sign_checkpoint,
)
from commonpot.governance.verification import MAX_PAGE, Report, check_checkpoint, check_entries
from commonpot.settings import Settings

# first key of the two-key PostgreSQL advisory lock that serialises a community's ledger
# appends (the second key is the community id); b"LG" so it cannot collide by accident
LEDGER_LOCK_SPACE = 0x4C47


def key_name(settings: Settings) -> str:
    """The signed-note key name: the instance name without spaces or '+'."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-._/:" else "-" for ch in settings.instance_name)
    return cleaned or "commonpot"


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


def size(session: Session, community: Community) -> int:
    """Number of entries in the community's log."""
    count = session.scalar(
        select(func.count())
        .select_from(LedgerEntry)
        .where(LedgerEntry.community_id == community.id)
    )
    return int(count or 0)


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
    if flush:
        session.flush()
    return row


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


def unsealed(session: Session, community: Community) -> bool:
    """True when entries exist beyond the latest signed checkpoint."""
    last = latest(session, community)
    count = size(session, community)
    return count > 0 and (last is None or last.size < count)


def latest(session: Session, community: Community) -> CheckpointRow | None:
    """The newest signed checkpoint."""
    return session.scalar(
        select(CheckpointRow)
        .where(CheckpointRow.community_id == community.id)
        .order_by(CheckpointRow.size.desc())
        .limit(1)
    )


def entries(session: Session, community: Community, start: int, end: int) -> list[LedgerEntry]:
    """Entries start..end-1 (at most 1000)."""
    if start < 0 or end < start:
        raise Invalid("Need 0 <= start <= end.", field="start")
    if end - start > MAX_PAGE:
        raise Invalid(f"At most {MAX_PAGE} entries per request.", field="end")
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


@dataclass
class _Kept:
    """A community's tree as this process last read it, and the lock that guards it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    log: MerkleLog = field(default_factory=MerkleLog)


# per database (engine) and community: the ledger's stored levels, kept between requests so
# a proof is O(log n) hashes from memory plus a read of the entries appended since
_KEPT: WeakKeyDictionary[Engine, dict[int, _Kept]] = WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _kept(session: Session, community: Community) -> _Kept:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _KEPT_LOCK:
        per_community = _KEPT.setdefault(engine, {})
        kept = per_community.get(community.id)
        if kept is None:
            kept = per_community[community.id] = _Kept()
        return kept


@contextmanager
def _tree(session: Session, community: Community, upto: int) -> Iterator[MerkleLog]:
    """The community's tree holding at least `upto` leaves (its lock held while in use).

    The log is append-only, so leaves once read stay valid; the kept copy is trusted only
    while its last leaf is still the stored one (a rolled-back append or a replaced
    database makes it start over), and only the entries after it are read.
    """
    kept = _kept(session, community)
    with kept.lock:
        log = kept.log
        if log.size:
            last = session.scalar(
                select(LedgerEntry.leaf_hash).where(
                    LedgerEntry.community_id == community.id, LedgerEntry.seq == log.size - 1
                )
            )
            if last is None or bytes.fromhex(last) != log.leaf(log.size - 1):
                log = kept.log = MerkleLog()
        if log.size < upto:
            query = (
                select(LedgerEntry.leaf_hash)
                .where(
                    LedgerEntry.community_id == community.id,
                    LedgerEntry.seq >= log.size,
                    LedgerEntry.seq < upto,
                )
                .order_by(LedgerEntry.seq)
            )
            fresh = [bytes.fromhex(h) for h in session.scalars(query)]
            if not log.size:
                log = kept.log = MerkleLog.from_leaf_hashes(fresh)
            else:
                for digest in fresh:
                    log.append_hash(digest)
        if log.size < upto:
            raise NotFound(f"The log has only {log.size} entries.", field="tree_size")
        yield log


def inclusion_proof(
    session: Session, community: Community, index: int, tree_size: int
) -> list[str]:
    """RFC 9162 inclusion proof, base64 hashes."""
    if not 0 <= index < tree_size:
        raise Invalid("Need 0 <= index < tree_size.", field="index")
    with _tree(session, community, tree_size) as log:
        proof = log.inclusion_proof(index, tree_size)
    return [base64.b64encode(h).decode() for h in proof]


def consistency_proof(session: Session, community: Community, first: int, second: int) -> list[str]:
    """RFC 9162 consistency proof, base64 hashes."""
    if not 0 < first <= second:
        raise Invalid("Need 0 < first <= second.", field="first")
    with _tree(session, community, second) as log:
        try:
            proof = log.consistency_proof(first, second)
        except ProofError as exc:
            raise Invalid(str(exc), field="first") from None
    return [base64.b64encode(h).decode() for h in proof]


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
            report.bad(None, "no signed checkpoint")
        return report
    root = check_checkpoint(
        last.note, instance_verifier(settings), origin(settings, community), hashes, report
    )
    if root is not None and last.root != root.hex():
        report.bad(None, "stored checkpoint root differs from the recomputed one")
    return report


def entry_digest(data: str) -> str:
    """Hex SHA-256 of an entry (handy for display)."""
    return hashlib.sha256(data.encode()).hexdigest()

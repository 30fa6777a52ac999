"""`commonpot ledger verify COMMUNITY` on a lean path: DB-API cursor, no ORM, no Typer.

A steward waits for the whole command, and at a million entries that is the time to hash
them; importing SQLAlchemy, pydantic and Typer and building ORM rows would cost as much
again. `run` reads the settings verification needs from the environment, opens the
database with its own driver (sqlite3, or psycopg for PostgreSQL), reads each entry's
stored canonical text and stored leaf hash with one query, and checks them with the same
pure checks (`verification`, `recount`) as the full command, the tree's root computed once
and the signatures verified with cryptography's Ed25519.

Whenever the lean path is not sure to answer exactly as the full command would, `run`
returns None and the entry point runs the full command instead: other options than the
community and --progress/--no-progress, a `.env` file (pydantic-settings reads it), a
database URL with options, an unknown community (its error message), a ledger with entries
not yet under a checkpoint (the full command signs one first) or a key file that does not
exist yet or is not a plain Ed25519 PKCS#8 key.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from commonpot import progress
from commonpot.cli_language import N_
from commonpot.errors import Worded
from commonpot.governance import ledgerscan, recount
from commonpot.governance.notes import Verifier, key_name_of
from commonpot.governance.verification import (
    CHUNK,
    Report,
    check_checkpoint,
    check_chunk,
    check_value,
    printed,
)

# DER of an unencrypted PKCS#8 Ed25519 private key, up to its 32-byte seed (RFC 8410)
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")
_PEM_BEGIN, _PEM_END = "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"


def parse(args: Sequence[str]) -> tuple[str, bool | None] | None:
    """(community, show progress) of `ledger verify` arguments; None to leave them to Typer."""
    community: str | None = None
    show: bool | None = None
    for arg in args:
        if arg == "--progress":
            show = True
        elif arg == "--no-progress":
            show = False
        elif arg.startswith("-") or community is not None:
            return None  # --remote, --key, --help, anything unexpected
        else:
            community = arg
    return None if community is None else (community, show)


def environment() -> dict[str, str] | None:
    """COMMONPOT_* settings as pydantic-settings reads them; None if a .env file exists."""
    if Path(".env").exists():
        return None
    found: dict[str, str] = {}
    for name, value in os.environ.items():
        lowered = name.lower()
        if lowered.startswith("commonpot_"):
            found[lowered.removeprefix("commonpot_")] = value
    return found


def verifier_of(settings: dict[str, str]) -> Verifier | None:
    """The instance's checkpoint verifier from its key file (None: leave it to the full path)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    configured = settings.get("ledger_key_file")
    if configured == "":
        return None
    data_dir = Path(settings.get("data_dir") or "./var")
    path = Path(configured) if configured is not None else data_dir / "ledger_key.pem"
    try:
        text = path.read_text("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    body = text.strip()
    if not body.startswith(_PEM_BEGIN) or not body.endswith(_PEM_END):
        return None
    try:
        der = base64.b64decode("".join(body[len(_PEM_BEGIN) : -len(_PEM_END)].split()))
    except (binascii.Error, ValueError):
        return None
    if len(der) != 48 or not der.startswith(_PKCS8_ED25519):
        return None
    public = Ed25519PrivateKey.from_private_bytes(der[16:]).public_key().public_bytes_raw()
    return Verifier(key_name_of(settings.get("instance_name") or "commonpot"), public)


@contextmanager
def connect(url: str) -> Iterator[tuple[Any, str, str | None] | None]:
    """A DB-API connection in a read transaction, its parameter mark and (SQLite) the
    database file's path, or None."""
    scheme, sep, rest = url.partition("://")
    if not sep or "?" in rest:
        yield None
        return
    if scheme in {"sqlite", "sqlite+pysqlite"}:
        import sqlite3

        path = rest.removeprefix("/")
        if not path or path == ":memory:" or not Path(path).is_file():
            yield None
            return
        connection = sqlite3.connect(path, timeout=15, isolation_level=None)
        try:
            connection.execute("BEGIN")  # one snapshot for the checkpoint and the entries
            yield connection, "?", path
        finally:
            connection.close()
    elif scheme in {"postgresql", "postgresql+psycopg"}:
        import psycopg

        with psycopg.connect(f"postgresql://{rest}") as pg:
            pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            pg.read_only = True
            yield pg, "%s", None
    else:
        yield None


# the queries, with sqlite3's parameter marks (psycopg's are put in by `_query`)
_COMMUNITY = "SELECT id FROM communities WHERE slug = ?"
_CHECKPOINT = (
    "SELECT size, root, note FROM gov_checkpoints WHERE community_id = ? ORDER BY size DESC LIMIT 1"
)
_ENTRIES = "SELECT seq, data, leaf_hash FROM gov_ledger_entries WHERE community_id = ? ORDER BY seq"
_SOME_ENTRIES = (
    "SELECT seq, data FROM gov_ledger_entries WHERE community_id = ? AND seq IN ({}) ORDER BY seq"
)
_BATCH = 500  # entries read at once by sequence number (SQLite allows 32766 parameters)


def _query(connection: Any, mark: str, sql: str, *params: Any) -> Any:
    return connection.execute(sql if mark == "?" else sql.replace("?", mark), params)


def run(args: Sequence[str]) -> int | None:
    """Run `ledger verify ARGS`; the exit code, or None to run the full command instead."""
    parsed = parse(args)
    settings = environment() if parsed is not None else None
    verifier = verifier_of(settings) if settings is not None else None
    if parsed is None or settings is None or verifier is None:
        return None
    slug, show = parsed
    with connect(settings.get("database_url") or "sqlite:///./commonpot.db") as opened:
        if opened is None:
            return None
        found = _verify(*opened, slug, verifier, show)
    if found is None:
        return None
    from commonpot.cli_language import cli_words

    out, err = printed(*found, cli_words())
    sys.stdout.write("".join(line + "\n" for line in out))
    sys.stderr.write("".join(line + "\n" for line in err))
    return 0 if not err else 1


def _scan_sqlite(
    connection: Any, path: str | None, community_id: int, slug: str, size: int, report: Report
) -> tuple[bytearray, list[tuple[int, str]]] | None:
    """An SQLite ledger of `size` entries read and scanned in C (`ledgerscan.c`): its leaf
    hashes and the entries a recount reads, the entries the scanner was not sure of checked
    in Python. None when the scanner cannot, or the ledger is not exactly `size` sound rows:
    then the entries are read and checked in Python, which names what is wrong.
    """
    if path is None or size == 0 or not ledgerscan.sqlite_ready():
        return None
    found = ledgerscan.scan_sqlite(
        path, _ENTRIES, community_id, slug, recount.MARKER_TEXTS, room=size
    )
    if found is None or len(found[1]) != size:
        return None
    leaves, verdicts = found
    flagged = (
        [seq for seq, verdict in enumerate(verdicts) if verdict] if verdicts.strip(b"\0") else []
    )
    sealed: list[tuple[int, str]] = []
    for start in range(0, len(flagged), _BATCH):
        seqs = flagged[start : start + _BATCH]
        marks = ",".join("?" * len(seqs))
        for seq, data in connection.execute(_SOME_ENTRIES.format(marks), (community_id, *seqs)):
            if verdicts[seq] & ledgerscan.CHECK:
                check_value(slug, seq, data, None, report)
            if verdicts[seq] & ledgerscan.RECOUNT:
                sealed.append((seq, data))
    return bytearray(leaves), sealed


def _verify(
    connection: Any, mark: str, path: str | None, slug: str, verifier: Verifier, show: bool | None
) -> tuple[Report, int] | None:
    """The report and the number of recounted boxes; None to leave it to the full command."""
    row = _query(connection, mark, _COMMUNITY, slug).fetchone()
    last = _query(connection, mark, _CHECKPOINT, row[0]).fetchone() if row else None
    if row is None or last is None:
        return None  # no such community (the full command's message), or nothing signed yet
    with progress.steps(N_("Verifying"), total=3, show=show) as step:
        step(N_("sealing new entries"))
        step(N_("checking entries, signatures and the checkpoint"))
        report = Report()
        scanned = _scan_sqlite(connection, path, row[0], slug, last[0], report)
        if scanned is not None:
            leaves, sealed = scanned
        else:
            # read and checked a chunk at a time: only leaf hashes, and the entries a
            # recount needs, are kept for the whole ledger
            cursor = _query(connection, mark, _ENTRIES, row[0])
            leaves, sealed = bytearray(), []  # 32 bytes per entry
            while chunk := cursor.fetchmany(CHUNK):
                leaves += check_chunk(slug, chunk, len(leaves) // 32, report)
                sealed += recount.relevant(chunk)
        if len(leaves) // 32 != last[0]:
            return None  # entries beyond the checkpoint: the full command seals them first
        report.size = len(leaves) // 32
        origin = f"{verifier.name}/ledger/{slug}"
        root = check_checkpoint(last[2], verifier, origin, bytes(leaves), report)
        if root is not None and last[1] != root.hex():
            report.bad(None, Worded("stored checkpoint root differs from the recomputed one", {}))
        step(N_("recounting sealed ballot boxes"))
        return report, recount.audit(sealed, report)

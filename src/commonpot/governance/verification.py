"""Pure checks of a ledger: entries' shape and hashes, signatures, and a checkpoint's root.

Used by `ledger.verify` (stored entries) and `remote.verify_remote` (a running server's
public entries); knows nothing of the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from operator import itemgetter
from typing import Any

from commonpot.errors import Worded, Wording, worded_detail
from commonpot.governance import ledgerscan
from commonpot.governance.canonical import parse_all_canonical, parse_canonical
from commonpot.governance.merkle import root_of_leaves
from commonpot.governance.notes import NoteError, Verifier, open_checkpoint
from commonpot.governance.signing import check_vote_entry

MAX_PAGE = 1000  # entries per page of the public entries endpoint


@dataclass
class Report:
    """What a verification found: the first bad entry (if any) and every problem."""

    size: int = 0
    checked_signatures: int = 0
    first_bad: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was wrong."""
        return not self.problems

    def bad(self, seq: int | None, message: str) -> None:
        """Record a problem (and the first bad entry)."""
        if seq is not None and (self.first_bad is None or seq < self.first_bad):
            self.first_bad = seq
        self.problems.append(message)


def printed(report: Report, recounted: int, words: Wording) -> tuple[list[str], list[str]]:
    """What `ledger verify` prints (stdout lines, stderr lines), in the reader's words.

    Both command paths (the lean one and Typer's) print through it, so they say the same.
    """
    if report.ok:
        line = Worded(
            "ok: %(size)s entries, checkpoint verified, %(signatures)s member signatures "
            "checked, %(boxes)s sealed ballot boxes recounted",
            {"size": report.size, "signatures": report.checked_signatures, "boxes": recounted},
        )
        return [worded_detail(line, words)], []
    errors = [worded_detail(problem, words) for problem in report.problems]
    if report.first_bad is not None:
        first = Worded("first bad entry: %(seq)s", {"seq": str(report.first_bad)})
        errors.insert(0, worded_detail(first, words))
    return [], errors


CHUNK = 1 << 16  # entries checked together: decoded values are dropped chunk by chunk


def check_entries(slug: str, rows: Sequence[tuple[int, str, str | None]], report: Report) -> bytes:
    """Recompute leaf hashes of (seq, data, stored hash) rows; check shape and vote signatures.

    The rows are checked a chunk at a time, so that a million entries never sit decoded in
    memory at once; the problems are reported in entry order all the same. Returns the leaf
    hashes, 32 bytes each, concatenated.
    """
    leaves = bytearray()
    for start in range(0, len(rows), CHUNK):
        leaves += check_chunk(slug, rows[start : start + CHUNK], start, report)
    report.size = len(rows)
    return bytes(leaves)


def check_chunk(
    slug: str, rows: Sequence[tuple[int, str, str | None]], start: int, report: Report
) -> bytes:
    """`check_entries` of the rows from entry `start` on; their leaf hashes (no report.size).

    With the compiled scanner (`ledgerscan.c`), one call hashes every entry and proves most
    of them canonical and in place; the few it is not sure of are checked here one by one.
    """
    texts = list(map(_second, rows))
    scanned = ledgerscan.scan(texts, start, slug) if ledgerscan.available() else None
    if scanned is not None and _stored_in_place(rows, start, scanned[0]):
        leaves, verdicts = scanned
        offset = verdicts.find(1)
        while offset >= 0:
            check_value(slug, start + offset, texts[offset], None, report)
            offset = verdicts.find(1, offset + 1)
        return leaves
    hashes = [sha256(b"\x00" + data.encode("utf-8")).digest() for data in texts]
    values = parse_all_canonical(texts)
    if values is not None and _all_in_place(slug, rows, start, hashes, values):
        # the common case, checked a column at a time; only signed votes remain
        for seq, value in enumerate(values, start):
            if value.get("signature") and value.get("type") in _VOTES:
                _check_signature(seq, value, report)
        return b"".join(hashes)
    for offset, (seq, data, stored) in enumerate(rows):
        expected, digest = start + offset, hashes[offset]
        if seq != expected:
            report.bad(
                expected,
                Worded(
                    "entry %(seq)s: sequence gap (found %(found)s)",
                    {"seq": str(expected), "found": str(seq)},
                ),
            )
            continue
        if stored is not None and stored != digest.hex():
            report.bad(
                seq, Worded("entry %(seq)s: data does not match its leaf hash", {"seq": str(seq)})
            )
            continue
        check_value(slug, seq, data, values[offset] if values is not None else None, report)
    return b"".join(hashes)


def check_value(slug: str, seq: int, data: str, value: Any, report: Report) -> None:
    """One entry's form: canonical JSON (`value` is its parse, when already had) naming its
    own position and community, and a vote's signature."""
    try:
        if value is None:
            value = parse_canonical(data)
    except ValueError:
        report.bad(seq, Worded("entry %(seq)s: not canonical JSON", {"seq": str(seq)}))
        return
    if not isinstance(value, dict):
        report.bad(seq, Worded("entry %(seq)s: not canonical JSON", {"seq": str(seq)}))
    elif value.get("seq") != seq or value.get("community") != slug:
        report.bad(
            seq, Worded("entry %(seq)s: names another position or community", {"seq": str(seq)})
        )
    elif value.get("type") in _VOTES and value.get("signature"):
        _check_signature(seq, value, report)


_first, _second, _third = itemgetter(0), itemgetter(1), itemgetter(2)


def _stored_in_place(
    rows: Sequence[tuple[int, str, str | None]], start: int, leaves: bytes
) -> bool:
    """True when the rows are in sequence from `start` and every stored leaf hash is the one
    computed (rows read from a server's public entries store none: nothing to compare)."""
    if list(map(_first, rows)) != list(range(start, start + len(rows))):
        return False
    stored = list(map(_third, rows))
    if stored.count(None) == len(stored):
        return True
    if None in stored or set(map(len, stored)) - {64}:
        return False
    return "".join(stored) == leaves.hex()  # all 64 long: equal joined, equal each


def _all_in_place(
    slug: str,
    rows: Sequence[tuple[int, str, str | None]],
    start: int,
    hashes: list[bytes],
    values: list[Any],
) -> bool:
    """True when every row is in sequence, matches its stored hash and names its own place.

    Each test runs over a whole column in C (map, join, one comparison); any failure sends
    the rows through the entry-by-entry checks, which name the first bad one.
    """
    if not _stored_in_place(rows, start, b"".join(hashes)):
        return False
    try:
        positions = list(range(start, start + len(rows)))
        return (
            set(map(type, values)) <= {dict}
            and list(map(_seq, values)) == positions
            and set(map(_community, values)) <= {slug}
        )
    except (KeyError, TypeError, ValueError):
        return False


_seq, _community = itemgetter("seq"), itemgetter("community")


def _check_signature(seq: int, value: dict[str, Any], report: Report) -> None:
    if check_vote_entry(value):
        report.checked_signatures += 1
    else:
        report.bad(
            seq, Worded("entry %(seq)s: the voter's signature does not verify", {"seq": str(seq)})
        )


_VOTES = frozenset({"vote.cast", "vote.changed"})


def check_checkpoint(
    note: str, verifier: Verifier, want_origin: str, leaves: bytes, report: Report
) -> bytes | None:
    """Verify a checkpoint note's signature and that its root matches the recomputed tree.

    Returns the recomputed root of the checkpoint's tree size (None if it could not be had).
    """
    try:
        checkpoint = open_checkpoint(note, verifier, want_origin)
    except NoteError as exc:
        report.bad(None, Worded("checkpoint: %(problem)s", {"problem": str(exc)}))
        return None
    if checkpoint.size > len(leaves) // 32:
        report.bad(
            None,
            Worded(
                "checkpoint covers %(size)s entries, only %(found)s exist",
                {"size": checkpoint.size, "found": len(leaves) // 32},
            ),
        )
        return None
    root = root_of_leaves(leaves[: 32 * checkpoint.size])
    if root != checkpoint.root:
        report.bad(None, Worded("checkpoint root does not match the entries", {}))
    return root

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
from commonpot.governance.canonical import parse_all_canonical, parse_canonical
from commonpot.governance.merkle import root_from_leaf_hashes
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


def check_entries(
    slug: str, rows: Sequence[tuple[int, str, str | None]], report: Report
) -> list[bytes]:
    """Recompute leaf hashes of (seq, data, stored hash) rows; check shape and vote signatures.

    The rows are checked a chunk at a time, so that a million entries never sit decoded in
    memory at once; the problems are reported in entry order all the same.
    """
    hashes: list[bytes] = []
    for start in range(0, len(rows), CHUNK):
        hashes += check_chunk(slug, rows[start : start + CHUNK], start, report)
    report.size = len(rows)
    return hashes


def check_chunk(
    slug: str, rows: Sequence[tuple[int, str, str | None]], start: int, report: Report
) -> list[bytes]:
    """`check_entries` of the rows from entry `start` on; their leaf hashes (no report.size)."""
    sha = sha256
    texts = list(map(_second, rows))
    hashes = [sha(b"\x00" + data.encode("utf-8")).digest() for data in texts]
    values = parse_all_canonical(texts)
    if values is not None and _all_in_place(slug, rows, start, hashes, values):
        # the common case, checked a column at a time; only signed votes remain
        for seq, value in enumerate(values, start):
            if value.get("signature") and value.get("type") in _VOTES:
                _check_signature(seq, value, report)
        return hashes
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
        try:
            value = values[offset] if values is not None else parse_canonical(data)
        except ValueError:
            report.bad(seq, Worded("entry %(seq)s: not canonical JSON", {"seq": str(seq)}))
            continue
        if not isinstance(value, dict):
            report.bad(seq, Worded("entry %(seq)s: not canonical JSON", {"seq": str(seq)}))
        elif value.get("seq") != seq or value.get("community") != slug:
            report.bad(
                seq, Worded("entry %(seq)s: names another position or community", {"seq": str(seq)})
            )
        elif value.get("type") in _VOTES and value.get("signature"):
            _check_signature(seq, value, report)
    return hashes


_first, _second, _third = itemgetter(0), itemgetter(1), itemgetter(2)


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
    positions = list(range(start, start + len(rows)))
    if list(map(_first, rows)) != positions:
        return False
    stored = list(map(_third, rows))
    if None in stored or set(map(len, stored)) - {64}:
        return False
    if "".join(stored) != b"".join(hashes).hex():  # all 64 long: equal joined, equal each
        return False
    try:
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
    note: str, verifier: Verifier, want_origin: str, hashes: list[bytes], report: Report
) -> bytes | None:
    """Verify a checkpoint note's signature and that its root matches the recomputed tree.

    Returns the recomputed root of the checkpoint's tree size (None if it could not be had).
    """
    try:
        checkpoint = open_checkpoint(note, verifier, want_origin)
    except NoteError as exc:
        report.bad(None, Worded("checkpoint: %(problem)s", {"problem": str(exc)}))
        return None
    if checkpoint.size > len(hashes):
        report.bad(
            None,
            Worded(
                "checkpoint covers %(size)s entries, only %(found)s exist",
                {"size": checkpoint.size, "found": len(hashes)},
            ),
        )
        return None
    root = root_from_leaf_hashes(hashes[: checkpoint.size])
    if root != checkpoint.root:
        report.bad(None, Worded("checkpoint root does not match the entries", {}))
    return root

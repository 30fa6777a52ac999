"""Checking ledger entries: every kind of damage is named at its entry, on both paths.

`check_entries` checks well-formed ledgers in bulk (with the compiled scanner when built,
or a column at a time in Python) and falls back to one entry at a time to name what is
wrong; these cases make sure the fallback is reached and says the same thing whichever path
found the damage, with the scanner and without it.
"""

from __future__ import annotations

from hashlib import sha256

import pytest

from commonpot.governance import ledgerscan
from commonpot.governance.canonical import canonical_text
from commonpot.governance.merkle import root_of_leaves
from commonpot.governance.verification import Report, check_entries

Row = tuple[int, str, str | None]


@pytest.fixture(autouse=True, params=["scanner", "python"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(ledgerscan, "available", lambda: False)
    else:
        assert ledgerscan.available()
    return str(request.param)


def _entry(seq: int, **extra: object) -> str:
    return canonical_text({"community": "c", "seq": seq, "type": "note", **extra})


def _rows(n: int) -> list[Row]:
    rows: list[Row] = []
    for seq in range(n):
        data = _entry(seq, text=f"entry é {seq}")
        rows.append((seq, data, sha256(b"\x00" + data.encode()).hexdigest()))
    return rows


def test_a_sound_ledger_passes_and_hashes_every_leaf() -> None:
    rows = _rows(50)
    report = Report()
    hashes = check_entries("c", rows, report)
    assert report.ok and report.size == 50 and report.first_bad is None
    assert hashes == b"".join(sha256(b"\x00" + data.encode()).digest() for _, data, _ in rows)
    assert len(root_of_leaves(hashes)) == 32


def test_entries_with_floats_take_the_exact_path_and_pass() -> None:
    rows = _rows(5)
    data = _entry(5, weight=1.5)
    rows.append((5, data, None))
    report = Report()
    check_entries("c", rows, report)
    assert report.ok and report.size == 6


def _damaged(kind: str) -> tuple[list[Row], str]:
    rows = _rows(20)
    seq, data, stored = rows[7]
    if kind == "gap":
        rows[7] = (8, data, stored)
        return rows, "entry 7: sequence gap (found 8)"
    if kind == "hash":
        altered = data.replace("entry", "entrY")
        rows[7] = (seq, altered, stored)
        return rows, "entry 7: data does not match its leaf hash"
    if kind == "spaced":
        altered = data.replace(",", ", ")
        rows[7] = (seq, altered, None)
        return rows, "entry 7: not canonical JSON"
    if kind == "unsorted":
        altered = '{"type":"note","seq":7,"community":"c"}'
        rows[7] = (seq, altered, None)
        return rows, "entry 7: not canonical JSON"
    if kind == "place":
        altered = _entry(9)
        rows[7] = (seq, altered, None)
        return rows, "entry 7: names another position or community"
    if kind == "community":
        altered = canonical_text({"community": "other", "seq": 7, "type": "note"})
        rows[7] = (seq, altered, None)
        return rows, "entry 7: names another position or community"
    assert kind == "array"
    rows[7] = (seq, "[1,2]", None)
    return rows, "entry 7: not canonical JSON"


@pytest.mark.parametrize(
    "kind", ["gap", "hash", "spaced", "unsorted", "place", "community", "array"]
)
def test_damage_is_named_at_its_entry(kind: str) -> None:
    rows, message = _damaged(kind)
    report = Report()
    hashes = check_entries("c", rows, report)
    assert not report.ok
    assert report.first_bad == 7
    assert report.problems == [message]
    assert len(hashes) == 20 * 32 and report.size == 20

"""The compiled ledger scanner (`ledgerscan.c`) against the Python checks it stands in for.

It must hash exactly as hashlib and `merkle.py` do, and it may only *prove* an entry fine:
every entry it passes (verdict 0) must be one the Python checks accept, across thousands of
random entries, canonical and damaged in every way we could think of. It must also prove
the common entries, or it would be useless.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commonpot.errors import Invalid
from commonpot.governance import ledgerscan, recount
from commonpot.governance.canonical import canonical_text, parse_canonical
from commonpot.governance.merkle import root_from_leaf_hashes, root_of_leaves

SLUG = "riverside"


def test_the_scanner_is_built() -> None:
    assert ledgerscan.available(), "make setup builds libcommonpot-ledger.so"


@pytest.fixture(params=["fastest", "portable"])
def sha(request: pytest.FixtureRequest) -> Iterator[str]:
    ledgerscan.use_portable(request.param == "portable")
    yield request.param
    ledgerscan.use_portable(False)


def test_sha256_is_hashlibs_at_every_length(sha: str) -> None:
    rng = random.Random(7)
    for length in [*range(200), 255, 256, 1000, 4095, 65_537]:
        data = rng.randbytes(length)
        for prefix in (0, 1):
            assert (
                ledgerscan.sha256(prefix, data) == hashlib.sha256(bytes([prefix]) + data).digest()
            )


def test_the_merkle_root_is_the_python_trees(sha: str) -> None:
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 100, 1023, 1025]:
        leaves = [os.urandom(32) for _ in range(n)]
        assert ledgerscan.merkle_root(b"".join(leaves)) == root_from_leaf_hashes(leaves)
        assert root_of_leaves(b"".join(leaves)) == root_from_leaf_hashes(leaves)
    with pytest.raises(ValueError, match="32-byte"):
        ledgerscan.merkle_root(b"")
    with pytest.raises(ValueError, match="32-byte"):
        root_of_leaves(b"\x00" * 33)


# ---- entries, canonical and not ------------------------------------------------------


def _text(rng: random.Random) -> str:
    pool = [
        "abc", "Tomate", "ñandú", "é", "日本", "\u2028", "\x7f", "a b", "\"", "\\", "/",
        "\n", "\t", "\x01", "\x1f", "€", "\U0001f345", "0123456789012345678",
    ]  # fmt: skip
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 4)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 9 if depth < 3 else 5)
    if kind == 0:
        return rng.randint(-(10**15) + 1, 10**15 - 1)
    if kind == 1:
        return rng.choice([0, 1, -1, 7, 2**53, -(2**53), 10**16])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.choice([1.5, -0.25, 1e21, 3.0])
    if kind in (4, 5):
        return _text(rng)
    if kind in (6, 7):
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng) or "k": _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _entry(rng: random.Random, seq: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "community": SLUG,
        "seq": seq,
        "type": rng.choice(["vote.cast", "note"]),
    }
    for _ in range(rng.randint(0, 4)):
        entry[rng.choice(["at", "choice", "member", "note", "data", "Zeta", "é"])] = _value(rng)
    if rng.random() < 0.1:
        entry["signature"] = rng.choice(["c2ln", None, "", 0, False, [], {}, [0], "0", 1, True])
    return entry


def _damage(text: str, rng: random.Random) -> str:
    """One small change of the kinds that make a text non-canonical (or leave it so)."""
    kind = rng.randint(0, 13)
    if kind == 0:
        return text.replace(",", ", ", 1)
    if kind == 1:
        return " " + text
    if kind == 2:
        return text.replace('"c', '"\\u0063', 1)  # a needless escape in a key
    if kind == 3:
        return text.replace("/", "\\/")
    if kind == 4:
        return text.replace("\\u001f", "\\u001F")
    if kind == 5:
        return text.replace(":0", ":-0").replace(":1", ":01")
    if kind == 6:
        return text.replace("}", ',"community":"x"}', 1)  # a repeated key
    if kind == 7:
        return text[:-1]
    if kind == 8:
        return text + "x"
    if kind == 9:
        return text.replace(":1", ":1.0", 1).replace(":2", ":2e0", 1)
    if kind == 10:
        return text.replace("a", "\\u0061", 1)
    if kind == 11:
        return text.replace('"seq"', '"aeq"', 1)
    if kind == 12:
        return text.replace("true", "True", 1).replace("null", "NaN", 1)
    return "[" + text + "]"


def _python_accepts(text: str, seq: int) -> bool:
    """What the Python checks conclude of an entry the scanner proves fine."""
    try:
        value = parse_canonical(text)
    except ValueError:
        return False
    return (
        isinstance(value, dict)
        and type(value.get("seq")) is int
        and value.get("seq") == seq
        and value.get("community") == SLUG
        and not value.get("signature")
    )


def _scan(texts: list[str]) -> bytes:
    found = ledgerscan.scan(texts, 0, SLUG)
    assert found is not None
    leaves, verdicts = found
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    assert leaves == b"".join(hashlib.sha256(b"\x00" + t).digest() for t in encoded)
    return verdicts


def test_every_entry_it_proves_the_python_checks_accept() -> None:
    rng = random.Random(2026)
    texts, proved_canonical, canonical = [], 0, 0
    for _ in range(6000):
        try:
            text = canonical_text(_entry(rng, len(texts)))
        except Invalid:  # values RFC 8785 refuses (huge integers): not entries at all
            continue
        if rng.random() < 0.5:
            text = _damage(text, rng)
        texts.append(text.replace("\n", "\\n"))
    verdicts = _scan(texts)
    for seq, (text, verdict) in enumerate(zip(texts, verdicts, strict=True)):
        accepted = _python_accepts(text, seq)
        if verdict == 0:
            assert accepted, f"proved an entry Python refuses: {text!r}"
        canonical += accepted
        proved_canonical += accepted and verdict == 0
    # floats, long integers, escapes in keys and text beyond the BMP are left to Python;
    # most canonical entries must still be proved, or the scanner saves nothing
    assert canonical > 1500
    assert proved_canonical > 0.5 * canonical


@pytest.mark.parametrize(
    "text",
    [
        '{"community":"riverside","seq":0}',
        '{"a":[1,-2,true,false,null,{}],"community":"riverside","seq":0,"z":"\\u001f\\n"}',
        '{"community":"riverside","note":"ñandú 日本 \\"q\\" \\\\ \u2028\x7f","seq":0}',
        '{"community":"riverside","seq":0,"signature":null}',  # nothing to check
        '{"community":"riverside","seq":0,"signature":""}',
    ],
)
def test_plain_canonical_entries_are_proved(text: str) -> None:
    assert _python_accepts(text, 0)
    assert _scan([text]) == b"\x00"


@pytest.mark.parametrize(
    "text",
    [
        '{"community":"riverside", "seq":0}',  # whitespace
        '{"seq":0,"community":"riverside"}',  # keys out of order
        '{"community":"riverside","community":"riverside","seq":0}',  # a key twice
        '{"community":"riverside","seq":0,"x":"\\u001F"}',  # uppercase escape
        '{"community":"riverside","seq":0,"x":"\\u0041"}',  # a needless escape
        '{"community":"riverside","seq":0,"x":"\\/"}',
        '{"community":"riverside","seq":0,"x":"\\u000a"}',  # \\n has its own escape
        '{"community":"riverside","seq":0,"x":-0}',
        '{"community":"riverside","seq":0,"x":01}',
        '{"community":"riverside","seq":0,"x":1.0}',
        '{"community":"riverside","seq":0,"x":1e5}',
        '{"community":"riverside","seq":0,"x":1234567890123456}',  # 16 digits: a double
        '{"community":"riverside","seq":0,"x":NaN}',
        '{"community":"riverside","seq":0,"x":"\U0001f345"}',  # beyond the BMP
        '{"community":"riverside","seq":0,"x":"\x01"}',  # a raw control character
        '{"community":"riverside","seq":0,"x":"\ud800"}',  # a lone surrogate
        '{"community":"riverside","seq":0}x',
        '{"community":"riverside","seq":0',
        '[{"community":"riverside","seq":0}]',
        "",
        '{"community":"riverside","seq":1}',  # another position
        '{"community":"riverside","seq":true}',
        '{"community":"hillside","seq":0}',  # another community
        '{"community":"riverside\\u0000","seq":0}',
        '{"community":"riverside","seq":0,"signature":"c2ln"}',  # a signature to check
        '{"community":"riverside","seq":0,"signature":[0]}',
        '{"community":"riverside","seq":0,"signature":"0"}',
        '{"\\n":1,"community":"riverside","seq":0}',  # an escape in a key: Python decides
        '{"a":' * 70 + "1" + "}" * 70,  # deeper than the scanner goes
    ],
)
def test_what_it_cannot_prove_goes_to_python(text: str) -> None:
    assert _scan([text]) == b"\x01"


def test_a_raw_newline_sends_the_chunk_to_python() -> None:
    texts = ['{"community":"riverside",\n"seq":0}', '{"community":"riverside","seq":1}']
    assert ledgerscan.scan(texts, 0, SLUG) is None  # the texts cannot be told apart
    assert ledgerscan.scan(texts[::-1], 0, SLUG) is None  # in the last one, too


def test_a_community_name_json_would_escape_is_never_matched_raw() -> None:
    text = '{"community":"a\\"b","seq":0}'
    found = ledgerscan.scan([text], 0, 'a"b')
    assert found is not None and found[1] == b"\x01"


# ---- reading SQLite itself -----------------------------------------------------------

SQL = "SELECT seq, data, leaf_hash FROM entries WHERE community_id = ? ORDER BY seq"


def _ledger(path: Path, texts: list[str], community_id: int = 3) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE entries (community_id, seq, data, leaf_hash)")
        db.executemany(
            "INSERT INTO entries VALUES (?, ?, ?, ?)",
            [
                (community_id, seq, text, hashlib.sha256(b"\x00" + text.encode()).hexdigest())
                for seq, text in enumerate(texts)
            ]
            + [(99, 0, "{}", "0" * 64)],  # another community's entry, never read
        )
    db.close()


def _texts(n: int) -> list[str]:
    types = ["vote.cast", "proposal.opened", "note", "ballots.revealed", "proposal.tallied"]
    return [
        canonical_text({"community": SLUG, "seq": seq, "type": types[seq % 5], "é": "x"})
        for seq in range(n)
    ]


def test_it_reads_a_sound_sqlite_ledger_as_python_reads_it(tmp_path: Path) -> None:
    assert ledgerscan.sqlite_ready()
    texts = _texts(40)
    texts[7] = canonical_text({"community": SLUG, "seq": 7, "weight": 1.5})  # a float
    texts[8] = canonical_text({"community": SLUG, "seq": 8, "note": '"commitment" said'})
    _ledger(tmp_path / "l.db", texts)
    found = ledgerscan.scan_sqlite(
        str(tmp_path / "l.db"), SQL, 3, SLUG, recount.MARKER_TEXTS, room=40
    )
    assert found is not None
    leaves, verdicts = found
    assert leaves == b"".join(hashlib.sha256(b"\x00" + t.encode()).digest() for t in texts)
    checked = [seq for seq, v in enumerate(verdicts) if v & ledgerscan.CHECK]
    assert checked == [7]
    marked = [seq for seq, v in enumerate(verdicts) if v & ledgerscan.RECOUNT]
    rows = [(seq, text, None) for seq, text in enumerate(texts)]
    assert marked == [seq for seq, _ in recount.relevant(rows)]
    assert 8 not in marked  # inside a string, an escaped quote is not the marker


@pytest.mark.parametrize("damage", ["hash", "gap", "more", "null"])
def test_a_ledger_it_cannot_vouch_for_is_left_to_python(tmp_path: Path, damage: str) -> None:
    texts = _texts(10)
    path = tmp_path / "l.db"
    _ledger(path, texts)
    with sqlite3.connect(path) as db:
        if damage == "hash":
            db.execute("UPDATE entries SET leaf_hash = ? WHERE seq = 4", ("a" * 64,))
        elif damage == "gap":
            db.execute("DELETE FROM entries WHERE community_id = 3 AND seq = 4")
        elif damage == "null":
            db.execute("UPDATE entries SET leaf_hash = NULL WHERE seq = 4")
    db.close()
    room = 9 if damage == "more" else 10
    assert ledgerscan.scan_sqlite(str(path), SQL, 3, SLUG, (), room=room) is None


def test_a_missing_file_or_bad_query_is_left_to_python(tmp_path: Path) -> None:
    assert ledgerscan.scan_sqlite(str(tmp_path / "none.db"), SQL, 3, SLUG, (), room=5) is None
    _ledger(tmp_path / "l.db", _texts(3))
    assert ledgerscan.scan_sqlite(str(tmp_path / "l.db"), "SELECT nonsense", 3, SLUG, (), 5) is None


def test_json_is_what_canonical_text_writes() -> None:
    # the premise of the proofs: Python's compact sorted encoder is RFC 8785 on this subset
    value = {"b": [1, "ñ", None], "a": {"z": True, "y": "\u001f"}}
    assert canonical_text(value) == json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )

"""The compiled ledger scanner of `ledgerscan.c`, called through ctypes.

`make setup` compiles it into `libcommonpot-ledger.so` beside this file
(`scripts/build-native.sh`). Without a compiler `available()` is False and verification
checks every entry in Python instead: the same verdicts, several times slower. The scanner
only proves entries fine; whatever it is not sure of goes back to the Python checks.
"""

from __future__ import annotations

import ctypes
from functools import cache
from pathlib import Path

from commonpot import native

LIBRARY = Path(__file__).with_name("libcommonpot-ledger.so")
_B = ctypes.c_char_p
_I = ctypes.c_int64


_V = ctypes.c_void_p
_SIGNATURES: native.Signatures = {
    "cp_ledger_scan": (_I, [_B, _I, _I, _I, _B, _I, _V, _V]),
    "cp_merkle_root": (ctypes.c_int, [_B, _I, _V]),
    "cp_sha256": (None, [ctypes.c_int, _B, _I, _V]),
    "cp_sha256_accelerated": (ctypes.c_int, []),
    "cp_sha256_portable": (None, [ctypes.c_int]),
    "cp_sqlite_ready": (ctypes.c_int, []),
    "cp_ledger_scan_sqlite": (_I, [_B, _B, _I, _B, _I, _B, _I, _V, _V]),
}


@cache
def _library() -> ctypes.CDLL | None:
    return native.load(LIBRARY, _SIGNATURES)


def available() -> bool:
    """True when the compiled scanner is there (`make setup` built it)."""
    return _library() is not None


def _lib() -> ctypes.CDLL:
    lib = _library()
    if lib is None:
        raise RuntimeError("the ledger scanner is not built (run `make setup`)")
    return lib


def _name(community: str) -> bytes:
    """The community's name as the scanner compares it with an entry's raw, escape-free
    string; a name JSON would escape gets a byte no such string holds (Python decides)."""
    if "\\" in community or '"' in community or not community.isprintable():
        return b"\x00"
    return community.encode("utf-8", "surrogatepass")


def scan(texts: list[str], first_seq: int, community: str) -> tuple[bytes, bytes] | None:
    """Leaf hashes (32 bytes each, concatenated) of the entries and one verdict byte each:
    0 when the entry is proved canonical JSON naming its own position and community and
    carrying no signature, 1 when the Python checks must look at it. None when the texts
    cannot be scanned together (a raw newline in one of them): check them in Python.
    """
    lib = _lib()
    n = len(texts)
    joined = "\n".join(texts).encode("utf-8", "surrogatepass")
    name = _name(community)
    leaves = ctypes.create_string_buffer(32 * n)
    verdict = ctypes.create_string_buffer(n)
    found = lib.cp_ledger_scan(joined, len(joined), n, first_seq, name, len(name), leaves, verdict)
    if found != n:
        return None
    return leaves.raw, verdict.raw


CHECK, RECOUNT = 1, 2  # verdict bits of `scan_sqlite`


def sqlite_ready() -> bool:
    """True when the scanner can read SQLite itself: built, and Python's sqlite3 module has
    loaded SQLite as a shared library (the scanner uses that copy, never a second one)."""
    import sqlite3  # noqa: F401  (loads the library the scanner looks for)

    return available() and bool(_lib().cp_sqlite_ready())


def scan_sqlite(
    path: str, sql: str, community_id: int, community: str, markers: tuple[str, ...], room: int
) -> tuple[bytes, bytes] | None:
    """`scan` of a ledger read by the scanner itself from the SQLite file at `path` with
    `sql` (rows seq, data, stored leaf hash, in order; one parameter, the community's id),
    each stored hash compared with the computed one. Verdict bits: CHECK (the Python checks
    must look at the entry) and RECOUNT (the entry holds one of `markers`). None when the
    rows are more than `room`, out of sequence, without a stored hash or with a wrong one,
    or cannot be read: then read and check them in Python, which names what is wrong.
    """
    lib = _lib()
    name = _name(community)
    words = "\n".join(markers).encode("utf-8")
    leaves = ctypes.create_string_buffer(32 * room)
    verdict = ctypes.create_string_buffer(room)
    found = lib.cp_ledger_scan_sqlite(
        path.encode(), sql.encode(), community_id, name, len(name), words, room, leaves, verdict
    )
    if found < 0:
        return None
    return leaves.raw[: 32 * found], verdict.raw[:found]


def merkle_root(leaves: bytes) -> bytes:
    """The RFC 9162 tree hash of concatenated 32-byte leaf hashes (at least one)."""
    if not leaves or len(leaves) % 32:
        raise ValueError("leaf hashes must be whole 32-byte hashes, at least one")
    out = ctypes.create_string_buffer(32)
    if _lib().cp_merkle_root(leaves, len(leaves) // 32, out) != 0:
        raise MemoryError("merkle root")
    return out.raw


def sha256(prefix: int, data: bytes) -> bytes:
    """SHA-256(prefix byte || data), as the scanner computes it (for the tests)."""
    out = ctypes.create_string_buffer(32)
    _lib().cp_sha256(prefix, data, len(data), out)
    return out.raw


def accelerated() -> bool:
    """True when SHA-256 runs on the processor's SHA extensions."""
    return bool(_lib().cp_sha256_accelerated())


def use_portable(yes: bool) -> None:
    """Hash with the portable SHA-256 (True) or the fastest the processor has (False)."""
    _lib().cp_sha256_portable(int(yes))

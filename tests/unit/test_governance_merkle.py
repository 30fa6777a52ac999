"""RFC 9162 Merkle log: every transparency-dev test vector, plus generation properties."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.governance.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleLog,
    ProofError,
    leaf_hash,
    node_hash,
    root_from_entries,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from tests.factories.governance import MERKLE_TESTDATA


def _vectors(kind: str) -> list[Path]:
    return sorted((MERKLE_TESTDATA / kind).rglob("*.json"))


def _b(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(MERKLE_TESTDATA)) for p in paths]


INCLUSION = _vectors("inclusion")
CONSISTENCY = _vectors("consistency")


def test_all_vector_files_are_found() -> None:
    assert len(INCLUSION) + len(CONSISTENCY) == 196
    assert any(json.loads(p.read_text())["wantErr"] for p in INCLUSION)
    assert any(not json.loads(p.read_text())["wantErr"] for p in CONSISTENCY)


@pytest.mark.parametrize("path", INCLUSION, ids=_ids(INCLUSION))
def test_inclusion_vector(path: Path) -> None:
    v: dict[str, Any] = json.loads(path.read_text())
    proof = [_b(p) for p in v["proof"] or []]

    def check() -> None:
        verify_inclusion(_b(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, _b(v["root"]))

    if v["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


@pytest.mark.parametrize("path", CONSISTENCY, ids=_ids(CONSISTENCY))
def test_consistency_vector(path: Path) -> None:
    v: dict[str, Any] = json.loads(path.read_text())
    proof = [_b(p) for p in v["proof"] or []]

    def check() -> None:
        verify_consistency(v["size1"], v["size2"], proof, _b(v["root1"]), _b(v["root2"]))

    if v["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


def test_rfc6962_reference_roots() -> None:
    # the 8 leaves of the RFC 6962 / transparency-dev reference tree and its known roots
    leaves = [
        bytes.fromhex(h)
        for h in [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
    ]
    roots = {
        1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    }
    log = MerkleLog()
    for entry in leaves:
        log.append(entry)
    for size, root in roots.items():
        assert log.root(size).hex() == root
    assert log.root(0) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert root_from_leaf_hashes([]) == EMPTY_ROOT


def test_hash_prefixes() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70))
def test_incremental_bulk_and_flat_roots_agree(entries: list[bytes]) -> None:
    incremental = MerkleLog()
    for e in entries:
        incremental.append(e)
    bulk = MerkleLog.from_entries(entries)
    hashes = [leaf_hash(e) for e in entries]
    for size in range(1, len(entries) + 1):
        want = root_from_leaf_hashes(hashes[:size])
        assert incremental.root(size) == want
        assert bulk.root(size) == want
    assert root_from_entries(entries) == incremental.root()
    compact = CompactRange()
    for size, e in enumerate(entries, start=1):
        compact.append(leaf_hash(e))
        assert compact.root() == incremental.root(size)
        resumed = CompactRange(compact.size, list(compact.nodes))
        assert resumed.root() == compact.root()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.data())
def test_generated_proofs_verify_and_tampering_fails(size: int, data: st.DataObject) -> None:
    log = MerkleLog.from_entries([str(i).encode() for i in range(size)])
    index = data.draw(st.integers(0, size - 1))
    at = data.draw(st.integers(index + 1, size))
    proof = log.inclusion_proof(index, at)
    verify_inclusion(log.leaf(index), index, at, proof, log.root(at))
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(b"forged"), index, at, proof, log.root(at))
    first = data.draw(st.integers(1, size))
    cproof = log.consistency_proof(first, size)
    verify_consistency(first, size, cproof, log.root(first), log.root())
    if cproof:
        bad = [bytes([cproof[0][0] ^ 1]) + cproof[0][1:], *cproof[1:]]
        with pytest.raises(ProofError):
            verify_consistency(first, size, bad, log.root(first), log.root())


def test_proof_requests_out_of_range() -> None:
    log = MerkleLog.from_entries([b"a", b"b"])
    with pytest.raises(ProofError):
        log.inclusion_proof(2, 2)
    with pytest.raises(ProofError):
        log.consistency_proof(0, 2)
    with pytest.raises(ProofError):
        log.root(3)

"""RFC 9162 (RFC 6962 hashing) Merkle tree log: roots, inclusion and consistency proofs.

Leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right), the empty
tree hashes to SHA-256 of nothing. ``MerkleLog`` keeps every complete subtree hash in one
bytearray per level, so appending is O(1) amortised (O(log n) worst case, the carry of a
binary counter), the current root folds the O(log n) right-edge "frontier", and the root
of, or a proof for, any earlier size is computed from stored subtrees in O(log n).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence

from commonpot.governance import ledgerscan

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof does not verify, or its inputs are out of range."""


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _parents(level: bytes | bytearray) -> bytearray:
    """Hashes of the complete pairs of a level given as concatenated 32-byte hashes."""
    view = memoryview(level)
    pairs = len(level) // (2 * HASH_SIZE)
    return bytearray(
        b"".join([_sha256(b"\x01" + view[i : i + 64]).digest() for i in range(0, pairs * 64, 64)])
    )


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash of a list of leaf hashes (empty list: the empty-tree hash)."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        # pairing level by level and promoting an odd last node equals RFC 9162's split rule
        pairs = zip(level[0::2], level[1::2], strict=False)  # an odd last node has no pair
        parents = [_sha256(b"\x01" + a + b).digest() for a, b in pairs]
        if len(level) % 2:
            parents.append(level[-1])
        level = parents
    return level[0]


def root_of_leaves(leaves: bytes) -> bytes:
    """`root_from_leaf_hashes` of leaf hashes given concatenated (32 bytes each): in C when
    `make setup` built the ledger scanner."""
    if len(leaves) % HASH_SIZE:
        raise ValueError("leaf hashes must be whole 32-byte hashes")
    if leaves and ledgerscan.available():
        return ledgerscan.merkle_root(leaves)
    view = memoryview(leaves)
    return root_from_leaf_hashes(
        [bytes(view[i : i + HASH_SIZE]) for i in range(0, len(leaves), HASH_SIZE)]
    )


def root_from_entries(entries: Iterable[bytes]) -> bytes:
    """Merkle tree hash of raw entries (leaf hashing inlined: this is the verify hot path)."""
    return root_from_leaf_hashes([_sha256(b"\x00" + e).digest() for e in entries])


class CompactRange:
    """The right edge of a tree: one root per perfect subtree, O(log n) to keep and extend."""

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()) -> None:
        if len(nodes) != size.bit_count():
            raise ValueError("a compact range holds one hash per set bit of its size")
        self.size = size
        self.nodes = list(nodes)

    def append(self, digest: bytes) -> None:
        """Add a leaf hash, merging equal-sized subtrees (a binary counter's carry)."""
        self.nodes.append(digest)
        index = self.size
        while index & 1:
            right = self.nodes.pop()
            self.nodes[-1] = node_hash(self.nodes[-1], right)
            index >>= 1
        self.size += 1

    def root(self) -> bytes:
        """Root hash of the tree so far."""
        if not self.nodes:
            return EMPTY_ROOT
        acc = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            acc = node_hash(node, acc)
        return acc


class MerkleLog:
    """An append-only RFC 9162 tree over leaf hashes, with proofs for any size so far."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]

    @classmethod
    def from_leaf_hashes(cls, hashes: Iterable[bytes]) -> MerkleLog:
        """Build a log in bulk (level by level) from leaf hashes."""
        log = cls()
        log._levels = [bytearray(b"".join(hashes))]
        while len(log._levels[-1]) >= 2 * HASH_SIZE:
            log._levels.append(_parents(log._levels[-1]))
        return log

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> MerkleLog:
        """Build a log in bulk from raw entries."""
        return cls.from_leaf_hashes(leaf_hash(e) for e in entries)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def append(self, entry: bytes) -> int:
        """Append a raw entry; returns its index."""
        return self.append_hash(leaf_hash(entry))

    def append_hash(self, digest: bytes) -> int:
        """Append a leaf hash; returns its index."""
        if len(digest) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        index = self.size
        self._levels[0] += digest
        k, i = 0, index
        while i & 1:
            level = self._levels[k]
            parent = _sha256(b"\x01" + level[-64:]).digest()
            if len(self._levels) == k + 1:
                self._levels.append(bytearray())
            self._levels[k + 1] += parent
            k, i = k + 1, i >> 1
        return index

    def complete_subtrees(self) -> Iterator[tuple[int, int, bytes]]:
        """(level, position, hash) of every complete subtree above the leaves."""
        for level in range(1, len(self._levels)):
            data = self._levels[level]
            for position in range(len(data) // HASH_SIZE):
                yield (
                    level,
                    position,
                    bytes(data[position * HASH_SIZE : (position + 1) * HASH_SIZE]),
                )

    def leaf(self, index: int) -> bytes:
        """The leaf hash at index."""
        return self._node(0, index)

    def _node(self, level: int, index: int) -> bytes:
        data = self._levels[level]
        return bytes(data[index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def _subtree(self, lo: int, hi: int) -> bytes:
        """Hash of leaves [lo, hi), from stored complete subtrees."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self._node(n.bit_length() - 1, lo // n)
        k = _split(n)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the tree at `size` (default: now)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ProofError(f"size {size} outside 0..{self.size}")
        return self._subtree(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path for leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1)."""
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise ProofError(f"need 0 <= index < tree size <= {self.size}")
        proof: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                proof.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._subtree(lo, lo + k))
                lo += k
        return proof[::-1]

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """Consistency proof between sizes first and second (RFC 9162 §2.1.4.1)."""
        second = self.size if second is None else second
        if not 0 < first <= second <= self.size:
            raise ProofError(f"need 0 < first <= second <= {self.size}")
        proof: list[bytes] = []
        lo, hi, m, whole = 0, second, first, True
        while m != hi:
            k = _split(hi - lo)
            if m - lo <= k:
                proof.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._subtree(lo, lo + k))
                lo, whole = lo + k, False
        if not whole:
            proof.append(self._subtree(lo, hi))
        return proof[::-1]


class StoredTree(MerkleLog):
    """A tree of `size` leaves whose complete-subtree hashes are looked up, not kept.

    `nodes` maps (level, position) to the hash of leaves position * 2**level up to
    (position + 1) * 2**level (level 0: the leaf hashes). A proof or root asked of a tree
    whose mapping lacks some node answers with placeholder hashes and records what it
    needed in `missing`: ask once with no nodes to learn which O(log n) nodes to read, then
    again with them. The proofs are MerkleLog's own, so they are byte for byte the same.
    """

    def __init__(self, size: int, nodes: Mapping[tuple[int, int], bytes] | None = None) -> None:
        super().__init__()
        self._size = size
        self._nodes = nodes or {}
        self.missing: set[tuple[int, int]] = set()

    @property
    def size(self) -> int:
        """Number of leaves."""
        return self._size

    def _node(self, level: int, index: int) -> bytes:
        found = self._nodes.get((level, index))
        if found is None:
            self.missing.add((level, index))
            return bytes(HASH_SIZE)
        return found


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an inclusion proof (RFC 9162 §2.1.3.2); raises ProofError if it fails."""
    if not 0 <= index < size:
        raise ProofError("leaf index outside the tree")
    if len(leaf) != HASH_SIZE or len(root) != HASH_SIZE:
        raise ProofError("leaf and root hashes must be 32 bytes")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("proof hashes must be 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("proof is too short")
    if r != root:
        raise ProofError("computed root does not match")


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> None:
    """Check a consistency proof (RFC 9162 §2.1.4.2); raises ProofError if it fails."""
    if _trivial_consistency(first, second, proof, first_root, second_root):
        return

    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("proof is too short")
    if fr != first_root or sr != second_root:
        raise ProofError("computed roots do not match")


def _trivial_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """Range and shape checks; True when equal sizes settle the matter (empty proof)."""
    if not 0 < first <= second:
        raise ProofError("need 0 < first <= second")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("proof hashes must be 32 bytes")
    if first == second:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if first_root != second_root:
            raise ProofError("roots differ for equal sizes")
        return True
    if not proof:
        raise ProofError("empty proof")
    if len(first_root) != HASH_SIZE or len(second_root) != HASH_SIZE:
        raise ProofError("root hashes must be 32 bytes")
    return False

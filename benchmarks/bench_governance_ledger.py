"""Ledger speed: append rate, full verification against raw hashing, proofs, signatures.

Figures, each against a baseline run in this process:
- append: MerkleLog.append (leaf hash + O(1) amortised carry) vs bare SHA-256 per entry;
- full verification of an N-entry log (recompute every leaf and node hash, compare the
  root) vs hashing the same entry bytes, per entry and as one stream (goal <= 2x);
- inclusion proof generation + verification latency on the N-entry log;
- signed-checkpoint verification (parse note, check key id, Ed25519) vs raw
  `cryptography` Ed25519 verification of the same bytes (goal >= 80 %).

    .venv/bin/python benchmarks/bench_governance_ledger.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from collections.abc import Callable
from typing import Any

from commonpot.governance.canonical import canonical_json
from commonpot.governance.merkle import MerkleLog, root_from_entries, verify_inclusion
from commonpot.governance.notes import Checkpoint, Signer, open_checkpoint, sign_checkpoint


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` runs (the machine is shared; the minimum is the signal)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def entries(n: int) -> list[bytes]:
    """Realistic canonical-JSON ledger entries (votes cast)."""
    return [
        canonical_json(
            {
                "community": "green-valley",
                "index": i,
                "kind": "vote.cast",
                "proposal": 1 + i // 1000,
                "member": f"m-{i % 5000:05d}",
                "choice": ["yes", "no", "abstain"][i % 3],
            }
        )
        for i in range(n)
    ]


def verify_log(data: list[bytes], root: bytes) -> bool:
    """What `ledger verify` does per log: recompute every hash, compare the root."""
    return root_from_entries(data) == root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller run, under a minute")
    args = parser.parse_args()
    n = 200_000 if args.quick else 1_000_000
    data = entries(n)
    size = sum(map(len, data))
    print(f"{n:,} entries, {size / 1e6:.1f} MB of canonical JSON")

    sha = hashlib.sha256
    t_raw, _ = timed(lambda: [sha(e).digest() for e in data])
    log = MerkleLog()
    t_app, _ = timed(lambda: [log.append(e) for e in data])
    print(
        f"append: {n / t_app:,.0f} entries/s ({t_app:.2f} s); bare SHA-256 per entry "
        f"{n / t_raw:,.0f}/s; ratio {t_app / t_raw:.2f}x the raw hashing time"
    )

    root = log.root()
    t_ver, ok = timed(lambda: verify_log(data, root), 3)
    t_stream, _ = timed(lambda: sha(b"".join(data)).digest(), 3)
    raw, _ = timed(lambda: [sha(e).digest() for e in data], 3)
    print(
        f"full verification: {t_ver:.2f} s (root matches: {ok}); raw SHA-256 per entry "
        f"{raw:.2f} s -> {t_ver / raw:.2f}x; one SHA-256 stream over the bytes "
        f"{t_stream:.2f} s -> {t_ver / t_stream:.2f}x (goal <= 2x)"
    )

    rng = random.Random(1)
    picks = [rng.randrange(n) for _ in range(2000)]
    t_gen, proofs = timed(lambda: [log.inclusion_proof(i) for i in picks])
    t_chk, _ = timed(
        lambda: [
            verify_inclusion(log.leaf(i), i, n, p, root) for i, p in zip(picks, proofs, strict=True)
        ]
    )
    print(
        f"inclusion proof: generate {t_gen / len(picks) * 1e6:.0f} us, verify "
        f"{t_chk / len(picks) * 1e6:.0f} us, {len(proofs[0])} hashes each"
    )

    signer = Signer.generate("commonpot.example/ledger/green-valley")
    note = sign_checkpoint(Checkpoint(signer.name, n, root), signer)
    verifier = signer.verifier
    body = Checkpoint(signer.name, n, root).text().encode()
    sig = signer.sign(body)
    key = signer.private_key.public_key()
    rounds = 2_000 if args.quick else 10_000
    t_key, _ = timed(lambda: [key.verify(sig, body) for _ in range(rounds)], 5)
    t_note, _ = timed(lambda: [open_checkpoint(note, verifier) for _ in range(rounds)], 5)
    print(
        f"Ed25519: raw cryptography {rounds / t_key:,.0f} verifications/s; signed checkpoint "
        f"{rounds / t_note:,.0f}/s -> {t_key / t_note * 100:.0f} % of raw (goal >= 80 %)"
    )


if __name__ == "__main__":
    main()

"""IRV and Schulze over many ranked ballots: commonpot's engines against votelib, same data.

Ballots come from a Plackett-Luce model over 10 candidates with random truncation, so
most of them are distinct (the hard case for aggregation). Both libraries take the same
aggregated profile (distinct ranking -> number of voters); building it is timed apart.
The full run times votelib on the whole profile; --quick times it on a slice of the
distinct ballots and scales linearly (its work is linear in distinct ballots), saying so.

    .venv/bin/python benchmarks/bench_governance_tally.py [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from votelib.convert import RankedToCondorcetVotes
from votelib.evaluate.condorcet import Schulze
from votelib.evaluate.sequential import TransferableVoteSelector

from commonpot.governance.ballot_profiles import RankedProfile
from commonpot.governance.count_methods import schulze
from commonpot.governance.transfer import irv

NAMES = tuple("ABCDEFGHIJ")


def make_profile(voters: int, seed: int = 2009) -> RankedProfile:
    """Aggregated random truncated rankings (Plackett-Luce with skewed strengths)."""
    rng = np.random.default_rng(seed)
    strength = np.log(np.array([10, 9, 8, 7, 6, 5, 3, 2, 1, 0.5]))
    order = np.argsort(-(strength + rng.gumbel(size=(voters, len(NAMES)))), axis=1)
    length = rng.integers(1, len(NAMES) + 1, size=voters)
    order = np.where(np.arange(len(NAMES))[None, :] < length[:, None], order, -1)
    rows, counts = np.unique(order, axis=0, return_counts=True)
    ballots = {
        tuple((c,) for c in row if c >= 0): n
        for row, n in zip(rows.tolist(), counts.tolist(), strict=True)
    }
    return RankedProfile(NAMES, ballots)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` runs (the machine is shared; the minimum is the signal)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def random_slice(profile: RankedProfile, limit: int | None) -> RankedProfile:
    """A uniformly random subset of the distinct rankings (all of them without a limit)."""
    items = list(profile.ballots.items())
    if limit is not None and limit < len(items):
        pick = np.random.default_rng(7).choice(len(items), size=limit, replace=False)
        items = [items[i] for i in sorted(pick.tolist())]
    return RankedProfile(profile.candidates, dict(items))


def votelib_votes(profile: RankedProfile) -> dict[tuple[int, ...], int]:
    return {tuple(g[0] for g in ranking): n for ranking, n in profile.ballots.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller run, under a minute")
    args = parser.parse_args()
    voters = 200_000 if args.quick else 1_000_000

    build, profile = timed(lambda: make_profile(voters))
    distinct = len(profile.ballots)
    print(f"{voters:,} ballots, {distinct:,} distinct rankings, built in {build:.2f} s")

    t_encode, _ = timed(lambda: RankedProfile(profile.candidates, profile.ballots).flat, 3)
    fresh = RankedProfile(profile.candidates, profile.ballots)
    t_irv, ours_irv = timed(lambda: irv(fresh), 5)
    t_sch, ours_sch = timed(lambda: schulze(fresh), 5)
    print(
        f"commonpot: encode {t_encode:.3f} s (once per profile), irv {t_irv:.3f} s "
        f"({len(ours_irv.rounds)} rounds), schulze {t_sch:.3f} s"
    )

    limit = min(distinct, 20_000) if args.quick else None
    sub = random_slice(profile, limit)
    sample = votelib_votes(sub)
    scale = distinct / len(sample)
    v_irv, their_irv = timed(
        lambda: TransferableVoteSelector(quota_function="droop").evaluate(sample, 1), 2
    )
    v_sch, their_sch = timed(
        lambda: Schulze().evaluate(RankedToCondorcetVotes().convert(sample), 1), 2
    )
    same_irv = [NAMES[c] for c in their_irv] == irv(sub).winners
    same_sch = [NAMES[c] for c in their_sch] == schulze(sub).winners
    note = "" if scale == 1 else f" (on {len(sample):,} distinct rankings, scaled x{scale:.1f})"
    print(f"votelib:   irv {v_irv * scale:.2f} s, schulze {v_sch * scale:.2f} s{note}")
    print(f"same winners as votelib on its data: irv {same_irv}, schulze {same_sch}")
    ours_total_irv = t_encode + t_irv
    ours_total_sch = t_encode + t_sch
    print(
        f"ratio irv:     {v_irv * scale / ours_total_irv:6.1f}x faster incl. encoding, "
        f"{v_irv * scale / t_irv:6.1f}x on an encoded profile (goal >= 50x)"
    )
    print(
        f"ratio schulze: {v_sch * scale / ours_total_sch:6.1f}x faster incl. encoding, "
        f"{v_sch * scale / t_sch:6.1f}x on an encoded profile (goal >= 50x)"
    )
    print(f"winners: irv {ours_irv.winners}, schulze {ours_sch.winners}")


if __name__ == "__main__":
    main()

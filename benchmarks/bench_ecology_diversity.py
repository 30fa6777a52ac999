"""Alpha diversity (10,000 × 500) and Bray–Curtis / Jaccard (2,000 samples) vs scikit-bio.

Run: .venv/bin/python benchmarks/bench_ecology_diversity.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from commonpot.ecology.diversity import alpha_arrays, braycurtis_matrix, jaccard_matrix

METRICS = ("shannon", "simpson", "dominance", "pielou_e", "chao1")


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from skbio.diversity import alpha_diversity, beta_diversity

    warnings.simplefilter("ignore")  # scikit-bio's own deprecation chatter
    repeats = 1 if args.quick else 3
    rng = np.random.default_rng(42)
    n, m = (10_000, 500)
    counts = rng.poisson(rng.gamma(0.3, 2.0, m), (n, m)).astype(np.float64)
    counts[::97] = 0.0  # some empty samples
    ids = [f"s{i}" for i in range(n)]

    def skbio_alpha() -> dict[str, np.ndarray]:
        return {k: alpha_diversity(k, counts.astype(np.int64), ids=ids).to_numpy() for k in METRICS}

    t_ours, ours = best_of(repeats, lambda: alpha_arrays(counts))
    t_ref, ref = best_of(repeats, skbio_alpha)
    mine = {
        "shannon": ours.shannon,
        "simpson": ours.simpson,
        "dominance": ours.dominance,
        "pielou_e": ours.pielou_evenness,
        "chao1": ours.chao1,
    }
    ok = ours.richness >= 2  # pielou is null below two species by our spec
    worst = max(float(np.nanmax(np.abs(mine[k][ok] - ref[k][ok]))) for k in METRICS)
    print(f"alpha {n}×{m}, 5 scikit-bio metrics vs all 10 of ours")
    print(f"  scikit-bio {t_ref:.3f} s   commonpot {t_ours:.3f} s   ratio {t_ours / t_ref:.2f}×")
    print(f"  max |difference| {worst:.2e}  ({'OK' if worst <= 1e-9 else 'MISMATCH'} at 1e-9)")

    k = 2_000
    sub = counts[:k]
    sub_ids = ids[:k]
    for metric, fn in (("braycurtis", braycurtis_matrix), ("jaccard", jaccard_matrix)):
        t_ours, got = best_of(repeats, lambda fn=fn: fn(sub))
        t_ref, expected = best_of(
            repeats, lambda metric=metric: beta_diversity(metric, sub, ids=sub_ids).data
        )
        diff = float(np.nanmax(np.abs(got - expected)))
        same_nan = bool(np.array_equal(np.isnan(got), np.isnan(expected)))
        print(f"{metric} {k} samples × {m} species")
        print(
            f"  scikit-bio {t_ref:.3f} s   commonpot {t_ours:.3f} s   ratio {t_ours / t_ref:.2f}×"
        )
        print(f"  max |difference| {diff:.2e}, NaN pattern equal: {same_nan}")


if __name__ == "__main__":
    main()

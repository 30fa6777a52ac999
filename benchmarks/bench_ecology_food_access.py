"""Nearest food source for 1M households × 10k sources, and 2SFCA, vs brute-force haversine.

The brute-force baseline runs on a sample of households in the same process and is scaled
to the full count. Run: .venv/bin/python benchmarks/bench_ecology_food_access.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from commonpot.ecology.food_access import (
    Population,
    Sources,
    haversine_km,
    low_access_shares,
    nearest_sources,
    two_step_fca,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 200_000 if args.quick else 1_000_000
    m = 10_000
    rng = np.random.default_rng(0)
    # a region of about 220 × 170 km with clustered households
    centres = rng.uniform([40.0, -75.0], [42.0, -73.0], (50, 2))
    which = rng.integers(0, 50, n)
    lat = np.clip(centres[which, 0] + rng.normal(0, 0.15, n), -90, 90)
    lon = centres[which, 1] + rng.normal(0, 0.2, n)
    pop = Population.of(lat, lon, rng.integers(1, 6, n))
    src = Sources.of(
        rng.uniform(40, 42, m),
        rng.uniform(-75, -73, m),
        rng.uniform(50, 500, m),
        rng.random(m) < 0.9,
    )
    start = time.perf_counter()
    nearest = nearest_sources(pop, src)
    t_tree = time.perf_counter() - start
    shares = low_access_shares(nearest, pop.people)
    k = 2_000
    active = np.flatnonzero(src.active)
    start = time.perf_counter()
    d = haversine_km(lat[:k, None], lon[:k, None], src.lat[active][None], src.lon[active][None])
    brute = d.min(axis=1)
    t_brute = (time.perf_counter() - start) * n / k
    diff = float(np.abs(brute - nearest.km[:k]).max())
    print(f"nearest active source: {n:,} households × {m:,} sources")
    print(f"  k-d tree {t_tree:.2f} s   brute force (scaled from {k:,}) {t_brute:.1f} s")
    print(f"  speed-up {t_brute / t_tree:.0f}×   max |difference| on the sample {diff:.1e} km")
    print("  low access: " + ", ".join(f"{s.miles:g} mi {s.share:.1%}" for s in shares))
    start = time.perf_counter()
    access = two_step_fca(pop, src, catchment_km=5.0)
    t_fca = time.perf_counter() - start
    print(f"2SFCA, 5 km catchment: {t_fca:.2f} s; median score {np.median(access.score):.4f}")


if __name__ == "__main__":
    main()

"""Elder–youth pairing: time of the optimal assignment, and how much better it is than greedy.

    .venv/bin/python benchmarks/bench_events_pairing.py [--quick]

Baseline (same process): a greedy loop that takes the best remaining pair each time, the
obvious hand-written alternative. Prints seconds, the optimal total, and the greedy total as
a share of the optimum.
"""

from __future__ import annotations

import argparse
import random
import time

from commonpot.events.pairing import Person, pair, score

LANGS = ["en", "es", "ja", "ig", "ml", "ar", "tl"]
DISHES = [f"dish{i}" for i in range(40)]


def people(rng: random.Random, n: int, start: int, old: bool) -> list[Person]:
    """Random teachers (old) or learners with languages, birth years and recipes."""
    return [
        Person(
            id=start + i,
            name=f"P{start + i}",
            languages=frozenset(rng.sample(LANGS, rng.randint(1, 3))),
            birth_year=rng.randint(1935, 1965) if old else rng.randint(1995, 2012),
            recipes=frozenset(rng.sample(DISHES, rng.randint(0, 4))),
        )
        for i in range(n)
    ]


def greedy(teachers: list[Person], learners: list[Person]) -> float:
    """Best remaining pair first: fast to write, not optimal."""
    scored = sorted(
        ((score(t, p)[0], t.id, p.id) for t in teachers for p in learners), reverse=True
    )
    used_t: set[int] = set()
    used_l: set[int] = set()
    total = 0.0
    for value, t, p in scored:
        if t not in used_t and p not in used_l:
            used_t.add(t)
            used_l.add(p)
            total += value
    return total


def main() -> None:
    """Run the benchmark and print one line per size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    sizes = [20, 50] if parser.parse_args().quick else [20, 100, 300]
    rng = random.Random(7)
    print(f"{'n':>5} {'optimal s':>10} {'greedy s':>10} {'optimal':>10} {'greedy/opt':>11}")
    for n in sizes:
        teachers, learners = people(rng, n, 0, True), people(rng, n, 10_000, False)
        t0 = time.perf_counter()
        result = pair(teachers, learners)
        t1 = time.perf_counter()
        baseline = greedy(teachers, learners)
        t2 = time.perf_counter()
        print(
            f"{n:>5} {t1 - t0:>10.4f} {t2 - t1:>10.4f} {result.total:>10.2f} "
            f"{baseline / result.total:>11.4f}"
        )


if __name__ == "__main__":
    main()

"""Crop-sharing planner on 50 domes × 200 crops vs a greedy baseline in the same process.

Run: .venv/bin/python benchmarks/bench_ecology_cropshare.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.factories.ecology import cropshare_problem

from commonpot.ecology.cropshare import (
    CropShareProblem,
    counted,
    plan_crop_sharing,
    profile,
    seeds_by_crop,
)


def greedy(problem: CropShareProblem) -> float | None:
    """Baseline: keep giving the least diverse dome one more crop, sized to an equal share."""
    areas = {d.id: dict(problem.inventories.get(d.id, {})) for d in problem.domes}
    free = {d.id: d.free_area for d in problem.domes}
    supply = seeds_by_crop(problem.seed_lots)
    climate = {d.id: d.climate for d in problem.domes}
    m = problem.min_plot_area
    stuck: set[str] = set()
    while True:
        now = profile([d.id for d in problem.domes], areas, m)
        options = [p for p in now.domes if p.dome not in stuck]
        if not options:
            break
        worst = min(options, key=lambda p: p.hill_1 or 0.0)
        dome = worst.dome
        grown = {c for c, a in areas[dome].items() if counted(a, m) > 0}
        share = worst.total_area / max(worst.richness, 1)
        choices = [
            c
            for c, s in supply.items()
            if c not in grown and climate[dome] in problem.compatibility.get(c, ()) and s >= m
        ]
        area = min(free[dome], share)
        if not choices or area < m:
            stuck.add(dome)
            continue
        crop = max(choices, key=lambda c: supply[c])
        area = min(area, supply[crop])
        areas[dome][crop] = areas[dome].get(crop, 0.0) + area
        free[dome] -= area
        supply[crop] -= area
    return profile([d.id for d in problem.domes], areas, m).min_hill_1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    domes, crops = (20, 80) if args.quick else (50, 200)
    problem = cropshare_problem(domes, crops, seed=0, time_limit=45 if args.quick else 120)
    start = time.perf_counter()
    baseline = greedy(problem)
    t_greedy = time.perf_counter() - start
    start = time.perf_counter()
    plan = plan_crop_sharing(problem)
    t_plan = time.perf_counter() - start
    before = plan.before.min_hill_1 or 0.0
    after = plan.after.min_hill_1 or 0.0
    print(f"crop sharing, {domes} domes × {crops} crops, {len(problem.seed_lots)} seed lots")
    print(f"  smallest hill_1 before        {before:.3f}")
    print(f"  greedy baseline               {baseline or 0:.3f}   in {t_greedy:.2f} s")
    print(f"  planner (HiGHS)               {after:.3f}   in {t_plan:.2f} s")
    ratio = after / baseline if baseline else math.inf
    print(f"  planner / greedy smallest hill_1: {ratio:.2f}×   time ratio {t_plan / t_greedy:.1f}×")
    print(f"  gamma {plan.before.gamma:.2f} → {plan.after.gamma:.2f}; {len(plan.moves)} moves")
    for note in plan.notes:
        print(f"  note: {note}")


if __name__ == "__main__":
    main()

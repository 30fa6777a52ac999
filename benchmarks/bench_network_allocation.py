"""Allocation engine benchmark: end-to-end CLI, engine vs bare OR-Tools, fairness vs FCFS.

.venv/bin/python benchmarks/bench_network_allocation.py [--quick] [--million]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from ortools.graph.python import min_cost_flow

from commonpot.network.allocation import allocate, flow_problem
from commonpot.network.candidates import build_candidates
from commonpot.network.flow import build_network, run_ortools
from commonpot.network.generate import uniform_square
from commonpot.network.instance import Instance, parse_instance

ROOT = Path(__file__).resolve().parent.parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label:<34} {seconds:8.3f} s   (peak RSS {peak_mb():7.0f} MB)")
    return result, seconds


def end_to_end(n: int) -> None:
    print(f"\n== end-to-end `commonpot allocate solve`, n={n} (goal < 1 s)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "instance.json"
        src.write_text(json.dumps(uniform_square(n, seed=1)))
        exe = str(ROOT / ".venv/bin/commonpot")
        _, base = timed(
            "baseline: `commonpot version`",
            subprocess.run,
            [exe, "version"],
            check=True,
            capture_output=True,
        )
        _, total = timed(
            "allocate solve --out",
            subprocess.run,
            [exe, "allocate", "solve", str(src), "--out", str(Path(tmp) / "p.json")],
            check=True,
        )
        print(f"  ratio solve / startup baseline: {total / base:.1f}x; goal met: {total < 1.0}")


def engine_vs_bare(n: int, categories: int) -> None:
    print(f"\n== engine vs bare OR-Tools SimpleMinCostFlow, n={n}, categories={categories}")
    data = uniform_square(n, seed=2, categories=categories)
    inst, _ = timed("parse + validate", parse_instance, data)
    del data
    cand, t_cand = timed("candidates (k-d tree, k=20)", build_candidates, inst)
    print(f"  feasible pairs: {len(cand.need)}")
    problem, _ = flow_problem(inst, cand)
    everything = np.arange(len(problem.arc_offer))
    net = build_network(
        problem, everything, np.unique(problem.arc_offer), np.unique(problem.arc_need)
    )
    scale = 1e10 / float(np.abs(net.cost).max())
    (status, bare_flow, _), t_bare = timed(
        "bare OR-Tools on the same graph", run_ortools, net, scale
    )
    assert status == int(min_cost_flow.SimpleMinCostFlow.OPTIMAL), status
    plan1, t_one = timed("engine solve, 1 worker", allocate, inst, candidates=cand, workers=1)
    plan2, t_two = timed("engine solve, 2 workers", allocate, inst, candidates=cand, workers=2)
    bare_plan_obj = _objective(inst, problem, bare_flow)
    print(
        f"  objective engine {plan2.metrics['objective']:.6f}  bare {bare_plan_obj:.6f}  "
        f"rel diff {abs(plan2.metrics['objective'] - bare_plan_obj) / abs(bare_plan_obj):.2e}"
    )
    print(f"  error bound (2F/S) {plan2.error_bound:.2e}")
    print(
        f"  ratio engine(2 workers)/bare: {t_two / t_bare:.2f}x (goal <= 0.5x); "
        f"1 worker: {t_one / t_bare:.2f}x; engine incl. candidates: "
        f"{(t_two + t_cand) / t_bare:.2f}x"
    )
    del plan1


def _objective(inst: Instance, problem, flow) -> float:  # type: ignore[no-untyped-def]
    from commonpot.network.metrics import objective

    used = flow > 0
    return objective(
        inst,
        problem.arc_need[used],
        flow[used],
        problem.arc_cost[used] / max(inst.params.cost_per_km, 1e-300),
    )


def fairness(n: int) -> None:
    print(f"\n== fairness vs FCFS, n={n}")
    header = (
        f"  {'supply':>6} {'plan':>10} {'objective':>12} {'min group fill':>15} "
        f"{'gini':>7} {'distance km':>12}"
    )
    print(header)
    for factor in (1.0, 0.6):
        inst = parse_instance(uniform_square(n, seed=3, supply_factor=factor))
        cand = build_candidates(inst)
        rows = {}
        for name in ("default", "min-fill", "fcfs"):
            m = allocate(inst, name, candidates=cand).metrics  # type: ignore[arg-type]
            rows[name] = m
            print(
                f"  {factor:>6.1f} {name:>10} {m['objective']:>12.2f} "
                f"{m['min_group_fill_rate']:>15.4f} {m['gini_fill_rate']:>7.4f} "
                f"{m['total_distance_km']:>12.1f}"
            )
        d, f = rows["default"], rows["fcfs"]
        print(
            f"  ratios default/FCFS: objective {d['objective'] / f['objective']:.3f}, "
            f"gini {d['gini_fill_rate'] / max(f['gini_fill_rate'], 1e-12):.3f}, "
            f"distance {d['total_distance_km'] / max(f['total_distance_km'], 1e-12):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--million", action="store_true", help="also n=1M (slow, GBs)")
    args = parser.parse_args()
    end_to_end(10_000)
    if args.quick:
        engine_vs_bare(10_000, 1)
        engine_vs_bare(10_000, 4)
        fairness(5_000)
        return
    engine_vs_bare(100_000, 1)
    engine_vs_bare(100_000, 4)
    fairness(20_000)
    if args.million:
        engine_vs_bare(1_000_000, 4)


if __name__ == "__main__":
    sys.exit(main())

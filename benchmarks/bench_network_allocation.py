"""Allocation engine benchmark: each figure beside its baseline, measured in the same run.

.venv/bin/python benchmarks/bench_network_allocation.py [--quick] [--growth | --only-growth]
    [--spread K [--reference]] [--million] [--only-command] [--baseline-src CHECKOUT]

Times are CPU seconds (process_time; getrusage for child processes) and the minimum over
repeats, because the machine may be shared and loaded: wall time there measures the
neighbours. Baselines:
- the whole `commonpot allocate solve` command (a subprocess: interpreter start, imports,
  parsing, candidates, solve, certificate, metrics, JSON) beside `python -c pass` and, with
  `--baseline-src`, beside the same command run from another checkout (before/after, plans
  compared byte for byte), followed by its stages timed in-process;
- candidates + solve + certificate + metrics (solved by our network simplex, `simplex.c`,
  when `make setup` built it; otherwise by OR-Tools) beside bare OR-Tools SimpleMinCostFlow
  on the same graph (nodes in file order, arcs in candidate order, costs scaled by 1e10 of the
  largest: what the engine did before); the certificate is timed apart (the goal's ratio
  excludes it): as `allocate` and the command run it by default (with the solver's prices,
  checked over every feasible pair: nearly free), and from the plan alone (prices by label
  correcting: the independent check, seconds at 100k);
- fairness against first-come-first-served.
Every engine plan printed here carries a duality certificate over every feasible pair.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from commonpot.network import simplex
from commonpot.network.allocation import allocate, flow_problem
from commonpot.network.candidates import build_candidates
from commonpot.network.certify import certify
from commonpot.network.flow import (
    _FIRST_SCALE,
    Network,
    _assign_parts,
    _pricing_order,
    build_network,
    solve_flow,
    solve_network,
)
from commonpot.network.generate import uniform_square
from commonpot.network.instance import parse_instance

ROOT = Path(__file__).resolve().parent.parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu(fn: Callable[[], Any], repeats: int = 1) -> tuple[Any, float]:
    """Result of the last call and the least CPU seconds over `repeats` calls."""
    best = math.inf
    result = None
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return result, best


def child_cpu(cmd: list[str], repeats: int) -> tuple[float, float]:
    """Least CPU seconds (user + sys) and least wall seconds of a subprocess."""
    best_cpu = best_wall = math.inf
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu, best_wall = min(best_cpu, used), min(best_wall, wall)
    return best_cpu, best_wall


IMPORTS = (
    "import commonpot.cli, commonpot.network.cli_fast, commonpot.progress, "
    "commonpot.network.instance, commonpot.network.allocation"
)


def whole_command(n: int, categories: int, repeats: int, baseline_src: Path | None) -> None:
    print(f"\n== whole `commonpot allocate solve`, {n} offers + {n} needs, {categories} cat.")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "instance.json"
        src.write_text(json.dumps(uniform_square(n, seed=1, categories=categories)))
        exe = str(ROOT / ".venv/bin/commonpot")
        base_cpu, base_wall = child_cpu([sys.executable, "-c", "pass"], repeats)
        imp_cpu, _ = child_cpu([sys.executable, "-c", IMPORTS], repeats)
        out = Path(tmp) / "plan.json"
        run_cpu, run_wall = child_cpu(
            [exe, "allocate", "solve", str(src), "--out", str(out)], repeats
        )
        plan = json.loads(out.read_text())
        print(f"  baseline `python -c pass`     cpu {base_cpu:7.3f} s   wall {base_wall:7.3f} s")
        print(f"  imports of the command        cpu {imp_cpu:7.3f} s")
        print(f"  allocate solve --out          cpu {run_cpu:7.3f} s   wall {run_wall:7.3f} s")
        if baseline_src is not None:
            # the same command from another source tree (e.g. `git worktree add` of the commit
            # before a change), run in the same minutes: the before/after figure
            old_out = Path(tmp) / "plan-before.json"
            old_cpu, old_wall = child_cpu(
                [
                    "env",
                    f"PYTHONPATH={baseline_src / 'src'}",
                    sys.executable,
                    "-c",
                    "from commonpot.cli import main; main()",
                    "allocate",
                    "solve",
                    str(src),
                    "--out",
                    str(old_out),
                ],
                repeats,
            )
            same = old_out.read_bytes() == out.read_bytes()
            print(
                f"  before ({baseline_src})  cpu {old_cpu:7.3f} s   wall {old_wall:7.3f} s; "
                f"now/before {run_cpu / old_cpu:.2f}x; plans byte-identical {same}"
            )
        print(
            f"  ratio {run_cpu / max(base_cpu, 1e-9):.0f}x python -c pass; certified gap "
            f"{plan['objective_error_bound']:.2e}; goal < 1 s: cpu {run_cpu < 1.0}, "
            f"wall {run_wall < 1.0} (min of {repeats})"
        )
        stages(src, repeats)


def stages(src: Path, repeats: int) -> None:
    """Where the command's time goes, stage by stage, in this process (CPU, min of repeats)."""
    from commonpot.network.instance import load_instance_file

    inst, t_read = cpu(lambda: load_instance_file(src), repeats)
    cand, t_cand = cpu(lambda: build_candidates(inst), repeats)
    problem, _ = flow_problem(inst, cand)
    parts = _assign_parts(problem)
    nets = [build_network(problem, *part) for part in parts]
    _, t_solver = cpu(lambda: [solve_network(net) for net in nets], repeats)
    _, t_ortools = cpu(lambda: [solve_network(net, solver="ortools") for net in nets], repeats)
    plan, t_plan = cpu(lambda: allocate(inst, candidates=cand, certified=False), repeats)
    every, _ = flow_problem(inst, cand, every_pair=True)
    prices = solve_flow(problem).prices  # the simplex's duals, as `allocate` checks them
    _, t_cert = cpu(lambda: certify(every, plan.flow, prices), repeats)
    _, t_cert_plan = cpu(lambda: certify(every, plan.flow), repeats)
    _, t_json = cpu(plan.to_json, repeats)
    print(
        f"  in-process stages: read+validate {t_read:.3f} s, candidates {t_cand:.3f} s, "
        f"solve+metrics {t_plan:.3f} s (of which {solver_name()} {t_solver:.3f} s; "
        f"OR-Tools on the same networks {t_ortools:.3f} s), certificate {t_cert:.3f} s "
        f"(with prices from the plan alone {t_cert_plan:.3f} s), plan JSON {t_json:.3f} s"
    )


def solver_name() -> str:
    return "network simplex" if simplex.available() else "OR-Tools (simplex not built)"


def bare_ortools(net: Any) -> tuple[float, float]:
    """What the engine did before: one solve, nodes in file order, arcs as built, 1e10."""
    scale = 1e10 / float(np.abs(net.cost).max())
    smcf = min_cost_flow.SimpleMinCostFlow()
    costs = np.rint(net.cost * scale).astype(np.int64)
    start = time.process_time()
    smcf.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.capacity, costs)
    smcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int64), net.node_supply)
    status = smcf.solve()
    seconds = time.process_time() - start
    assert status == smcf.OPTIMAL, status
    return seconds, -smcf.optimal_cost() / scale


def engine_vs_bare(n: int, categories: int, repeats: int) -> float:
    print(f"\n== engine vs bare OR-Tools on the same graph, n={n}, categories={categories}")
    inst = parse_instance(uniform_square(n, seed=2, categories=categories))
    cand, t_cand = cpu(lambda: build_candidates(inst), repeats)
    problem, _ = flow_problem(inst, cand)
    plain = type(problem)(**{**problem.__dict__, "offer_rank": None, "need_rank": None})
    net = build_network(
        plain,
        np.arange(len(plain.arc_offer)),
        np.unique(plain.arc_offer),
        np.unique(plain.arc_need),
    )
    t_bare = math.inf
    for _ in range(repeats):
        seconds, bare_obj = bare_ortools(net)
        t_bare = min(t_bare, seconds)
    del net
    plan, t_solve = cpu(
        lambda: allocate(inst, candidates=cand, workers=1, certified=False), repeats
    )
    # as `allocate` runs by default: certified with the solver's prices (the plan's own
    # prices only when those fail), over every feasible pair
    proved, t_proved = cpu(lambda: allocate(inst, candidates=cand, workers=1), repeats)
    assert proved.certificate is not None
    assert proved.certificate.optimal
    every, _ = flow_problem(inst, cand, every_pair=True)
    cert, t_cert = cpu(lambda: certify(every, plan.flow), repeats)
    t_all = t_cand + t_solve
    print(f"  feasible pairs {len(cand.need)}; peak RSS {peak_mb():.0f} MB")
    print(f"  bare OR-Tools solve                    cpu {t_bare:8.3f} s")
    print(f"  candidates                             cpu {t_cand:8.3f} s")
    print(f"  solve + metrics                        cpu {t_solve:8.3f} s")
    print(f"  solve + metrics + certificate          cpu {t_proved:8.3f} s   (as `allocate` runs)")
    print(f"  certificate from the plan alone        cpu {t_cert:8.3f} s   (prices + bound)")
    print(
        f"  certificate: optimal {cert.optimal}, gap {cert.gap:.2e} "
        f"(tolerance {cert.tolerance:.2e}), arcs pricing out {cert.violated_arcs}"
    )
    print(
        f"  objective engine {plan.metrics['objective']:.6f}  bare {bare_obj:.6f}  "
        f"(bare includes 1e10 rounding)"
    )
    print(
        f"  ratio (candidates + solve + metrics) / bare: {t_all / t_bare:.2f}x (goal <= 0.5x); "
        f"solve alone {t_solve / t_bare:.2f}x; certified as `allocate` runs "
        f"{(t_cand + t_proved) / t_bare:.2f}x; with the plan-alone certificate "
        f"{(t_all + t_cert) / t_bare:.2f}x  (min of {repeats})"
    )
    return t_solve


def simplex_work(net: Network, repeats: int = 1) -> tuple[float, simplex.Solution]:
    """CPU seconds and the solution (with its work counters) of one simplex solve of `net`,
    called as the engine calls it at its first cost scale."""
    order, position, tiers = _pricing_order(net)
    scale = _FIRST_SCALE / max(float(np.abs(net.cost).max(initial=0.0)), 1e-300)
    costs = np.rint(net.cost[order] * scale).astype(np.int64)
    tree = position[net.tree_arc.clip(min=0)]
    args = (net.tails[order], net.heads[order], net.capacity[order], costs, net.node_supply, 0)
    found, seconds = cpu(lambda: simplex.solve(*args, tree, tiers=tiers), repeats)
    return seconds, found


def last_tier_line(net: Network, found: simplex.Solution, seconds: float, repeats: int) -> str:
    """The share of the work (and of the time) done by the last tier, the one that prices
    every pair: the whole solve less the same solve stopped before it (the same first tiers
    over only their arcs: the simplex takes the very same pivots there)."""
    order, position, tiers = _pricing_order(net)
    end = int(tiers[-1])
    scale = _FIRST_SCALE / max(float(np.abs(net.cost).max(initial=0.0)), 1e-300)
    costs = np.rint(net.cost[order] * scale).astype(np.int64)
    tree = position[net.tree_arc.clip(min=0)]
    arcs = (net.tails[order][:end], net.heads[order][:end], net.capacity[order][:end])
    args = (*arcs, costs[:end], net.node_supply, 0)
    first, first_s = cpu(lambda: simplex.solve(*args, tree, tiers=tiers[:-1]), repeats)
    assert first.status == simplex.OPTIMAL
    assert found.work is not None
    assert first.work is not None
    pivots = found.pivots - first.pivots
    walked = found.work.walked - first.work.walked
    moved = found.work.moved - first.work.moved
    last_s = max(seconds - first_s, 0.0)
    return (
        f"last tier (every pair): {pivots:,} pivots ({pivots / net.n_nodes:.2f} per node), "
        f"{last_s:.2f} s ({last_s / max(seconds, 1e-9):.0%} of the solve, "
        f"{last_s / max(pivots, 1) * 1e6:.1f} us each); per pivot: "
        f"{walked / max(pivots, 1):.0f} steps walked, {moved / max(pivots, 1):.0f} potentials moved"
    )


def copies_of(net: Network, k: int) -> tuple[tuple[Any, ...], Any, Any]:
    """`k` disjoint copies of `net` as one network (one sink), as the engine would give it to
    the simplex: arguments, first tree and tiers (each tier holds that tier of every copy)."""
    order, position, tiers = _pricing_order(net)
    scale = _FIRST_SCALE / max(float(np.abs(net.cost).max(initial=0.0)), 1e-300)
    tails, heads = net.tails[order], net.heads[order]
    cap, cost = net.capacity[order], np.rint(net.cost[order] * scale).astype(np.int64)
    tree = position[net.tree_arc.clip(min=0)]
    n, m = net.n_nodes, len(tails)
    ends = [*tiers.tolist(), m]
    tier_of = np.searchsorted(np.array(ends), tree, side="right")
    parts: list[list[Any]] = [[], [], [], []]
    new_tree = np.zeros(1 + k * (n - 1), dtype=np.int64)
    start, placed, new_ends = 0, 0, []
    moved = np.zeros((k, len(ends)), dtype=np.int64)  # where each copy's tier now starts
    for j, end in enumerate(ends):
        for i in range(k):
            shift = i * (n - 1)
            parts[0].append(np.where(tails[start:end] == 0, 0, tails[start:end] + shift))
            parts[1].append(np.where(heads[start:end] == 0, 0, heads[start:end] + shift))
            parts[2].append(cap[start:end])
            parts[3].append(cost[start:end])
            moved[i, j] = placed - start
            placed += end - start
        start = end
        new_ends.append(placed)
    supply = np.zeros(1 + k * (n - 1), dtype=np.int64)
    for i in range(k):
        nodes = slice(1 + i * (n - 1), 1 + (i + 1) * (n - 1))
        supply[nodes] = net.node_supply[1:]
        new_tree[nodes] = tree[1:] + moved[i, tier_of[1:]]
    supply[0] = -supply[1:].sum()
    args = (*(np.concatenate(a) for a in parts), supply, 0)
    return args, new_tree, np.array(new_ends[:-1], dtype=np.int64)


def growth(sizes: list[int], repeats: int) -> None:
    print("\n== solve CPU growth (solve + certificate + metrics, 1 category)")
    print("   and the simplex's own work per pivot (arcs priced, steps up the tree to the")
    print("   cycle's join, node potentials moved): what grows beyond the pivot count; and a")
    print("   control: copies of the smallest network, solved as one network of the next size")
    previous: tuple[int, float] | None = None
    for n in sizes:
        inst = parse_instance(uniform_square(n, seed=2))
        cand = build_candidates(inst)
        # the least of `repeats` runs below 300k (this machine's speed drifts; 300k runs once)
        times = repeats if n < 300_000 else 1
        _, seconds = cpu(
            lambda inst=inst, cand=cand: allocate(inst, candidates=cand, workers=1), times
        )
        line = f"  n={n:>8}  cpu {seconds:8.2f} s"
        if previous is not None:
            m, t = previous
            nlogn = n * math.log(n) / (m * math.log(m))
            line += f"   x{seconds / t:.1f} for x{n / m:.0f} (n log n: x{nlogn:.1f})"
        print(line + f"   peak RSS {peak_mb():.0f} MB", flush=True)
        previous = (n, seconds)
        if simplex.available():
            problem, _ = flow_problem(inst, cand)
            nets = [build_network(problem, *part) for part in _assign_parts(problem)]
            net = max(nets, key=lambda net: len(net.tails))
            solve_s, found = simplex_work(net, times)
            print("    simplex alone " + work_line(solve_s, found, net.n_nodes), flush=True)
            print("      " + last_tier_line(net, found, solve_s, times), flush=True)
            if n == sizes[0] and len(sizes) > 1:
                copies = sizes[1] // n
                args, tree, tiers = copies_of(net, copies)
                found, copies_s = cpu(
                    lambda a=args, t=tree, e=tiers: simplex.solve(*a, t, tiers=e), times
                )
                assert found.status == simplex.OPTIMAL
                print(
                    f"    control: {copies} disjoint copies of this network solved as one "
                    f"(the size of n={sizes[1]}, none of its longer chains): x"
                    f"{copies_s / solve_s:.1f} the time of one\n      "
                    + work_line(copies_s, found, len(args[4])),
                    flush=True,
                )


def spread(seeds: int, reference: bool, repeats: int) -> None:
    """The growth from 10k to 100k over several instances (seeds 1..`seeds`): one instance's
    time varies by 2x between seeds at 10k, so one seed's growth has that error; with
    `reference`, bare OR-Tools' own growth on the same graphs (its cost scaling: is the growth
    the method's or the instances'?)."""
    print(f"\n== growth 10k -> 100k over {seeds} instances (solve + certificate + metrics)")
    medians: dict[str, list[float]] = {"engine": [], "bare OR-Tools": []}
    sizes = (10_000, 100_000)
    for n in sizes:
        engine, bare = [], []
        for seed in range(1, seeds + 1):
            inst = parse_instance(uniform_square(n, seed=seed))
            cand = build_candidates(inst)
            times = repeats if n < 100_000 else 1
            _, seconds = cpu(
                lambda inst=inst, cand=cand: allocate(inst, candidates=cand, workers=1), times
            )
            engine.append(seconds)
            if reference:
                problem, _ = flow_problem(inst, cand)
                plain = type(problem)(**{**problem.__dict__, "offer_rank": None, "need_rank": None})
                every = np.arange(len(plain.arc_offer))
                net = build_network(
                    plain, every, np.unique(plain.arc_offer), np.unique(plain.arc_need)
                )
                bare.append(bare_ortools(net)[0])
            print(
                f"  n={n:>7} seed {seed}: engine {seconds:7.2f} s"
                + (f"   bare OR-Tools {bare[-1]:7.2f} s" if reference else ""),
                flush=True,
            )
        medians["engine"].append(float(np.median(engine)))
        if reference:
            medians["bare OR-Tools"].append(float(np.median(bare)))
    small, large = sizes
    nlogn = large * math.log(large) / (small * math.log(small))
    for name, (a, b) in ((k, v) for k, v in medians.items() if v):
        print(
            f"  {name}: median {a:.2f} s -> {b:.2f} s, x{b / a:.1f} for x{large // small} "
            f"(n log n: x{nlogn:.1f})"
        )


def work_line(seconds: float, found: simplex.Solution, nodes: int) -> str:
    work, pivots = found.work, max(found.pivots, 1)
    assert work is not None
    return (
        f"{seconds:.2f} s: {found.pivots:,} pivots ({found.pivots / nodes:.1f} per node, "
        f"{seconds / pivots * 1e6:.1f} us each); per pivot: {work.priced / pivots:.0f} "
        f"arcs priced, {work.walked / pivots:.0f} steps walked, "
        f"{work.moved / pivots:.0f} potentials moved"
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


def million() -> None:
    print("\n== n=1M, 4 categories: engine only (bare OR-Tools would double the hours)")
    start_wall = time.perf_counter()
    inst, t_parse = cpu(lambda: parse_instance(uniform_square(1_000_000, seed=2, categories=4)))
    cand, t_cand = cpu(lambda: build_candidates(inst))
    plan, t_solve = cpu(lambda: allocate(inst, candidates=cand, workers=1))
    cert = plan.certificate
    print(f"  parse {t_parse:.1f} s, candidates {t_cand:.1f} s, solve+cert+metrics {t_solve:.1f} s")
    print(
        f"  wall {time.perf_counter() - start_wall:.0f} s; peak RSS {peak_mb():.0f} MB; "
        f"certified optimal {cert.optimal}, gap {cert.gap:.2e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10k only, a few minutes")
    parser.add_argument("--growth", action="store_true", help="solve CPU at 10k, 100k, 300k")
    parser.add_argument("--million", action="store_true", help="also n=1M (slow, GBs)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--baseline-src", type=Path, help="a checkout to time the same command from (before)"
    )
    parser.add_argument("--only-command", action="store_true", help="the 10k command only")
    parser.add_argument("--only-growth", action="store_true", help="the growth table only")
    parser.add_argument(
        "--spread", type=int, default=0, help="also the growth 10k -> 100k over SPREAD seeds"
    )
    parser.add_argument(
        "--reference", action="store_true", help="with --spread: bare OR-Tools' growth too"
    )
    args = parser.parse_args()
    if args.only_growth:
        growth([10_000, 100_000, 300_000], args.repeats)
        if args.spread:
            spread(args.spread, args.reference, args.repeats)
        return
    whole_command(10_000, 1, args.repeats, args.baseline_src)
    if args.only_command:
        return
    if args.quick:
        engine_vs_bare(10_000, 1, args.repeats)
        engine_vs_bare(10_000, 4, args.repeats)
        fairness(5_000)
        return
    whole_command(10_000, 4, args.repeats, args.baseline_src)
    engine_vs_bare(100_000, 1, 1)
    engine_vs_bare(100_000, 4, 1)
    fairness(20_000)
    if args.growth:
        growth([10_000, 100_000, 300_000], args.repeats)
    if args.spread:
        spread(args.spread, args.reference, args.repeats)
    if args.million:
        million()


if __name__ == "__main__":
    sys.exit(main())

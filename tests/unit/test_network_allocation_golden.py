"""`commonpot allocate solve` prints, byte for byte, the plans the engine printed before the
speed work of issue 18 (tests/data/allocation, written by the engine at commit d011e7f), and
every one of them carries prices that prove it optimal over every feasible pair."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from commonpot.cli import main
from commonpot.network.allocation import Objective, allocate, flow_problem
from commonpot.network.certify import need_segments
from commonpot.network.instance import load_instance_file

DATA = Path(__file__).resolve().parents[1] / "data" / "allocation"
CASES = [
    (name, objective)
    for name in ("k20", "mixed", "scarce")
    for objective in ("default", "min-fill")
]


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
        raise SystemExit(0)
    return int(info.value.code or 0)


@pytest.mark.parametrize(("name", "objective"), CASES)
def test_plan_is_byte_identical_to_the_golden_one(
    name: str, objective: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    golden = (DATA / f"{name}.{objective}.plan.json").read_bytes()
    out = tmp_path / "plan.json"
    argv = ["allocate", "solve", str(DATA / f"{name}.json"), "--objective", objective]
    assert run([*argv, "--out", str(out)]) == 0
    assert out.read_bytes() == golden
    assert run([*argv, "--no-progress"]) == 0  # standard output carries the same bytes
    assert capsys.readouterr().out.encode() == golden


@pytest.mark.parametrize(("name", "objective"), CASES)
def test_golden_plans_satisfy_complementary_slackness(name: str, objective: Objective) -> None:
    inst = load_instance_file(DATA / f"{name}.json")
    plan = allocate(inst, objective)
    cert = plan.certificate
    assert cert is not None and cert.feasible and cert.optimal
    problem, _ = flow_problem(
        inst, plan.candidates, min_fill=objective == "min-fill", every_pair=True
    )
    u, w = cert.offer_price, cert.need_price
    tol = 1e-8 * max(1.0, float(np.abs(need_segments(problem).value).max()))
    # dual feasibility on EVERY feasible pair: no arc has a negative reduced cost c + u - w
    reduced = problem.arc_cost + u[problem.arc_offer] - w[problem.arc_need]
    assert (reduced >= -tol).all()
    # complementary slackness: arcs carrying food have zero reduced cost ...
    carrying = plan.flow > 0
    assert carrying.any()
    assert np.abs(reduced[carrying]).max() <= tol
    # ... offers with food left have price 0, and prices are never negative
    sent = np.bincount(problem.arc_offer, weights=plan.flow, minlength=inst.n_offers)
    assert (u >= 0).all()
    assert np.abs(u[sent < inst.offer_quantity]).max(initial=0.0) <= tol
    # ... and each need's price lies between its next unit's value and its last unit's value
    seg = need_segments(problem)
    width = len(seg.size) // inst.n_needs
    received = np.bincount(problem.arc_need, weights=plan.flow, minlength=inst.n_needs)
    sizes, values = seg.size.reshape(-1, width), seg.value.reshape(-1, width)
    before = np.cumsum(sizes, axis=1) - sizes
    filled = np.clip(received[:, None] - before, 0, sizes)
    open_value = np.where(filled < sizes, values, -np.inf).max(axis=1)  # next unit's value
    used_value = np.where(filled > 0, values, np.inf).min(axis=1)  # last unit's value
    assert (w >= np.maximum(open_value, 0.0) - tol).all()
    assert (w <= used_value + tol).all()
    # the prices' duality bound meets the plan's objective: nothing better exists
    assert cert.bound - cert.objective <= cert.tolerance
    if objective == "default":
        assert plan.metrics["objective"] == pytest.approx(cert.bound, rel=1e-9)


def test_plain_solve_runs_without_typer_or_pydantic(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    probe = (
        "import sys\n"
        "from commonpot.cli import main\n"
        f"main(['allocate', 'solve', {str(DATA / 'k20.json')!r}, '--out', {str(out)!r}, "
        "'--workers', '1', '--no-progress'])\n"
        "print(sorted(m for m in ('typer', 'click', 'pydantic', 'sqlalchemy') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert out.read_bytes() == (DATA / "k20.default.plan.json").read_bytes()


def test_unusual_arguments_still_reach_typer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = str(DATA / "k20.json")
    assert run(["allocate", "solve", instance, "--workers", "0"]) == 2  # Typer's range check
    assert "--workers" in capsys.readouterr().err
    assert run(["allocate", "solve", instance, "--bogus"]) == 2
    assert "--bogus" in capsys.readouterr().err
    assert run(["allocate", "solve", "--help"]) == 0
    assert "Instance JSON" in capsys.readouterr().out

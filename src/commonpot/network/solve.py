"""Solve a run from plain data (safe to run in another process): plan, FCFS baseline, lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from commonpot.network.allocation import Objective, allocate
from commonpot.network.instance import parse_instance


@dataclass(frozen=True)
class Solved:
    """What a run stores: the plan's metrics, the baseline's, and the assignment lines."""

    metrics: dict[str, Any]
    baseline_metrics: dict[str, Any]
    lines: list[dict[str, Any]]


def solve_run(instance: dict[str, Any], objective: str) -> Solved:
    """The plan for the instance JSON and its first-come-first-served baseline."""
    inst = parse_instance(instance)
    plan = allocate(inst, cast(Objective, objective))
    baseline = allocate(inst, "fcfs", candidates=plan.candidates)
    return Solved(plan.metrics, baseline.metrics, list(plan.assignments()))

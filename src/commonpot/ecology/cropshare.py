"""Crop-sharing planner: plant seed-bank lots across biodomes to lift the least diverse dome.

Goal: maximise the smallest hill_1 (effective number of crops, by area) over all domes,
keeping the pooled gamma diversity at or above a floor, within free area, seed stock,
crop–climate compatibility and a minimum plot area for a planting to count.
The problem's data types live in `cropshare_problem` (re-exported here), the optimisation
in `cropshare_solver` (over the outer approximation built in `cropshare_outer`); this module
checks the inputs, runs the optimiser, and evaluates the true indices before and after.
"""

from __future__ import annotations

from commonpot.ecology.cropshare_problem import (
    CropSharePlan,
    CropShareProblem,
    Dome,
    DomeProfile,
    Move,
    PlanInfeasible,
    Profile,
    SeedLot,
    counted,
    profile,
    seeds_by_crop,
    to_moves,
    validate,
)
from commonpot.ecology.cropshare_solver import solve

__all__ = [
    "CropSharePlan",
    "CropShareProblem",
    "Dome",
    "DomeProfile",
    "Move",
    "PlanInfeasible",
    "Profile",
    "SeedLot",
    "counted",
    "plan_crop_sharing",
    "profile",
    "seeds_by_crop",
    "to_moves",
    "validate",
]


def plan_crop_sharing(problem: CropShareProblem) -> CropSharePlan:
    """Choose plantings that maximise the least diverse dome's hill_1 above a gamma floor."""
    validate(problem)
    dome_ids = [d.id for d in problem.domes]
    before = profile(dome_ids, problem.inventories, problem.min_plot_area)
    plantings, notes, optimal = solve(problem, before)
    after_areas: dict[str, dict[str, float]] = {
        d: dict(problem.inventories.get(d, {})) for d in dome_ids
    }
    for (dome, crop), area in plantings.items():
        after_areas[dome][crop] = after_areas[dome].get(crop, 0.0) + area
    after = profile(dome_ids, after_areas, problem.min_plot_area)
    return CropSharePlan(
        moves=to_moves(plantings, problem.seed_lots, problem.inventories),
        before=before,
        after=after,
        notes=notes,
        optimal=optimal,
    )

"""Crop-sharing planner: better worst dome, respected limits, gamma floor, explanations."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from commonpot.ecology import cropshare_solver
from commonpot.ecology.cropshare import (
    CropSharePlan,
    CropShareProblem,
    Dome,
    PlanInfeasible,
    SeedLot,
    plan_crop_sharing,
)
from commonpot.errors import Invalid
from tests.factories.ecology import cropshare_problem


def true_hill_1(areas: list[float]) -> float:
    values = np.array([a for a in areas if a > 0])
    p = values / values.sum()
    return float(math.exp(-(p * np.log(p)).sum()))


def assert_plan_respects_limits(problem: CropShareProblem, plan: CropSharePlan) -> None:
    domes = {d.id: d for d in problem.domes}
    lots = {lot.id: lot for lot in problem.seed_lots}
    per_dome: dict[str, float] = defaultdict(float)
    per_lot: dict[str, float] = defaultdict(float)
    per_pair: dict[tuple[str, str], float] = defaultdict(float)
    for move in plan.moves:
        lot = lots[move.lot_id]
        assert move.crop == lot.crop
        assert domes[move.to_dome].climate in problem.compatibility[move.crop]
        assert move.area_m2 > 0
        per_dome[move.to_dome] += move.area_m2
        per_lot[move.lot_id] += move.area_m2
        per_pair[(move.to_dome, move.crop)] += move.area_m2
    for dome_id, used in per_dome.items():
        assert used <= domes[dome_id].free_area + 1e-6
    for lot_id, used in per_lot.items():
        assert used <= lots[lot_id].area_equivalent() + 1e-6
    for (dome_id, crop), area in per_pair.items():
        existing = problem.inventories.get(dome_id, {}).get(crop, 0.0)
        assert existing + area >= problem.min_plot_area - 1e-6


def test_single_dome_matches_a_brute_force_grid() -> None:
    problem = CropShareProblem(
        domes=[Dome("d", "temperate", 10.0)],
        inventories={"d": {"maize": 10.0}},
        seed_lots=[
            SeedLot("b", "bean", "Cherokee", 10.0),
            SeedLot("s", "squash", "Hubbard", 3.0),
        ],
        compatibility={"bean": {"temperate"}, "squash": {"temperate"}, "maize": {"temperate"}},
        min_plot_area=1.0,
    )
    plan = plan_crop_sharing(problem)
    best = max(
        true_hill_1([10.0, b, s])
        for b in np.linspace(0, 10, 201)
        for s in np.linspace(0, 3, 61)
        if b + s <= 10 + 1e-9 and (b == 0 or b >= 1) and (s == 0 or s >= 1)
    )
    assert plan.before.min_hill_1 == pytest.approx(1.0)
    assert plan.after.min_hill_1 == pytest.approx(best, rel=2e-3)
    assert_plan_respects_limits(problem, plan)


def test_raises_the_least_diverse_dome_and_keeps_limits() -> None:
    problem = cropshare_problem(domes=4, crops=12, seed=3)
    plan = plan_crop_sharing(problem)
    assert plan.before.min_hill_1 is not None and plan.after.min_hill_1 is not None
    assert plan.after.min_hill_1 > plan.before.min_hill_1 + 0.1
    assert_plan_respects_limits(problem, plan)


def test_gamma_floor_is_kept() -> None:
    base = cropshare_problem(domes=4, crops=12, seed=5)
    floor = plan_crop_sharing(base).before.gamma
    assert floor is not None
    problem = cropshare_problem(domes=4, crops=12, seed=5, gamma_floor=floor)
    plan = plan_crop_sharing(problem)
    assert plan.after.gamma is not None
    assert plan.after.gamma >= floor - 1e-6


def test_gamma_floor_above_any_possible_richness_is_explained() -> None:
    problem = cropshare_problem(domes=3, crops=6, seed=1, gamma_floor=50.0)
    with pytest.raises(PlanInfeasible) as caught:
        plan_crop_sharing(problem)
    text = " ".join(str(r) for r in caught.value.reasons)
    assert "below the floor of 50." in text
    assert "crops can be grown at all" in text


def test_gamma_floor_beyond_seed_supply_says_what_is_reachable() -> None:
    problem = CropShareProblem(
        domes=[Dome("a", "arid", 100.0), Dome("b", "arid", 100.0)],
        inventories={"a": {"x": 100.0}, "b": {"x": 100.0}},
        seed_lots=[SeedLot("l", "y", "v", 2.0)],
        compatibility={"x": {"arid"}, "y": {"arid"}},
        min_plot_area=1.0,
        gamma_floor=1.9,
    )
    with pytest.raises(PlanInfeasible) as caught:
        plan_crop_sharing(problem)
    assert "the most the planner could reach is about 1.0" in caught.value.detail


def test_seed_counts_are_converted_with_the_sowing_rate() -> None:
    problem = CropShareProblem(
        domes=[Dome("d", "temperate", 50.0)],
        inventories={"d": {"maize": 5.0}},
        seed_lots=[SeedLot("b", "bean", "Cherokee", 100.0, unit="seeds", seeds_per_m2=20.0)],
        compatibility={"bean": {"temperate"}},
        min_plot_area=1.0,
    )
    plan = plan_crop_sharing(problem)
    (move,) = plan.moves
    assert move.area_m2 == pytest.approx(5.0, rel=1e-4)
    assert move.seeds == 100
    assert move.is_transfer


def test_incompatible_climate_gets_nothing() -> None:
    problem = CropShareProblem(
        domes=[Dome("d", "arid", 50.0)],
        inventories={"d": {"cactus": 5.0}},
        seed_lots=[SeedLot("r", "rice", "paddy", 40.0)],
        compatibility={"rice": {"tropical"}},
    )
    plan = plan_crop_sharing(problem)
    assert plan.moves == []
    assert any("nothing to plant" in str(note) for note in plan.notes)


def test_relax_and_round_path_keeps_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cropshare_solver, "MILP_PAIRS", 0)
    problem = cropshare_problem(domes=6, crops=15, seed=11)
    plan = plan_crop_sharing(problem)
    assert plan.after.min_hill_1 is not None and plan.before.min_hill_1 is not None
    assert plan.after.min_hill_1 > plan.before.min_hill_1
    assert_plan_respects_limits(problem, plan)
    assert any("whole plots" in str(note) for note in plan.notes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"domes": [Dome("d", "x", -1.0)]}, "free area"),
        ({"inventories": {"ghost": {"a": 1.0}}}, "unknown dome"),
        ({"seed_lots": [SeedLot("l", "a", "v", 5.0, unit="seeds")]}, "seeds per m²"),
        ({"seed_lots": [SeedLot("l", "a", "v", 5.0, holder="ghost")]}, "unknown dome"),
        ({"min_plot_area": -1.0}, "minimum plot"),
    ],
)
def test_nonsense_inputs_are_rejected(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "domes": [Dome("d", "x", 10.0)],
        "inventories": {"d": {"a": 1.0}},
        "seed_lots": [],
        "compatibility": {},
    }
    fields.update(change)
    with pytest.raises(Invalid, match=message):
        plan_crop_sharing(CropShareProblem(**fields))  # type: ignore[arg-type]


def test_a_plot_split_over_two_lots_says_how_big_the_whole_plot_is() -> None:
    # 10 m² minimum; the bean seed sits in two lots of 7.5 and 2.5 m²
    problem = CropShareProblem(
        domes=[Dome("d", "temperate", 30.0)],
        inventories={"d": {"maize": 20.0}},
        seed_lots=[
            SeedLot("b1", "bean", "Cherokee", 7.5, holder="d"),
            SeedLot("b2", "bean", "Cherokee", 2.5),
        ],
        compatibility={"bean": ["temperate"], "maize": ["temperate"]},
        min_plot_area=10.0,
    )
    plan = plan_crop_sharing(problem)
    assert_plan_respects_limits(problem, plan)
    beans = [m for m in plan.moves if m.crop == "bean"]
    assert sorted(m.area_m2 for m in beans) == pytest.approx([2.5, 7.5])
    for move in beans:
        # every part below the minimum belongs to one plot that meets it
        assert move.plot_m2 == pytest.approx(10.0)
        assert move.existing_m2 == 0.0


def test_no_new_plot_below_the_minimum_is_planned() -> None:
    # only 2.5 m² of squash seed under a 10 m² minimum: it cannot make a plot that counts
    problem = CropShareProblem(
        domes=[Dome("d", "temperate", 30.0)],
        inventories={"d": {"maize": 20.0}},
        seed_lots=[SeedLot("s", "squash", "Hubbard", 2.5), SeedLot("b", "bean", "x", 12.0)],
        compatibility={"bean": ["temperate"], "maize": ["temperate"], "squash": ["temperate"]},
        min_plot_area=10.0,
    )
    plan = plan_crop_sharing(problem)
    assert_plan_respects_limits(problem, plan)
    assert not any(m.crop == "squash" for m in plan.moves)
    for move in plan.moves:
        assert move.plot_m2 + move.existing_m2 >= 10.0 - 1e-6

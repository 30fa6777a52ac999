"""The crop-sharing problem and plan as plain data: domes, seed lots, moves, profiles.

Also the checks of a problem's inputs, the true diversity profile of a set of plantings,
and how crop-level areas become moves from named seed lots. The planner that uses them is
`cropshare.plan_crop_sharing`; the optimiser is `cropshare_solver`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from commonpot.ecology.diversity import partition_q1
from commonpot.errors import Invalid
from commonpot.words import Said, joined


@dataclass(frozen=True)
class Dome:
    """A biodome (or any growing place) with a climate class and unplanted area in m²."""

    id: str
    climate: str
    free_area: float


@dataclass(frozen=True)
class SeedLot:
    """Seed held by the common bank (holder None) or by a dome, in m² or seeds."""

    id: str
    crop: str
    variety: str
    quantity: float
    unit: Literal["m2", "seeds"] = "m2"
    seeds_per_m2: float | None = None
    holder: str | None = None

    def area_equivalent(self) -> float:
        """Area in m² this lot can plant."""
        if self.unit == "m2":
            return self.quantity
        assert self.seeds_per_m2 is not None
        return self.quantity / self.seeds_per_m2


@dataclass(frozen=True)
class CropShareProblem:
    """Everything the planner needs, as plain data."""

    domes: list[Dome]
    inventories: Mapping[str, Mapping[str, float]]
    seed_lots: list[SeedLot]
    compatibility: Mapping[str, Collection[str]]
    min_plot_area: float = 1.0
    gamma_floor: float | None = None
    time_limit: float = 60.0


@dataclass(frozen=True)
class Move:
    """Plant `area_m2` of a lot's crop in a dome; a transfer when the lot sits elsewhere."""

    lot_id: str
    crop: str
    variety: str
    from_holder: str | None
    to_dome: str
    area_m2: float
    seeds: int | None
    plot_m2: float = 0.0  # the whole plot of this crop the plan adds to the dome
    existing_m2: float = 0.0  # what the dome already grows of this crop

    @property
    def is_transfer(self) -> bool:
        """True when the seed has to travel from the bank or another dome."""
        return self.from_holder != self.to_dome


@dataclass(frozen=True)
class DomeProfile:
    """Diversity of one dome counting only crops on at least the minimum plot area."""

    dome: str
    richness: int
    hill_1: float | None
    hill_2: float | None
    total_area: float


@dataclass(frozen=True)
class Profile:
    """Diversity of every dome and of all domes together."""

    domes: list[DomeProfile]
    min_hill_1: float | None
    gamma: float | None
    alpha: float | None
    beta: float | None


@dataclass(frozen=True)
class CropSharePlan:
    """The chosen moves and the true diversity before and after them."""

    moves: list[Move]
    before: Profile
    after: Profile
    notes: list[Said] = field(default_factory=list)
    optimal: bool = True


class PlanInfeasible(Invalid):
    """No plan meets the constraints; `reasons` says why (worded in the reader's language)."""

    def __init__(self, reasons: list[Said]) -> None:
        super().__init__(" ".join(str(r) for r in reasons), field="gamma_floor")
        self.reasons = reasons
        self.sentence = joined(reasons)

    def __reduce__(self) -> tuple[type[PlanInfeasible], tuple[list[Said]]]:
        # crosses process boundaries (plans are solved in a worker process) intact
        return (type(self), (self.reasons,))


def validate(problem: CropShareProblem) -> None:  # noqa: PLR0912 - one flat list of checks
    """Reject inputs that make no sense (negative areas, unknown domes, missing rates)."""
    ids = [d.id for d in problem.domes]
    if len(set(ids)) != len(ids):
        raise Invalid("two domes share the same id", field="domes")
    known = set(ids)
    if problem.min_plot_area < 0 or not math.isfinite(problem.min_plot_area):
        raise Invalid("the minimum plot area must be a non-negative number", field="min_plot_area")
    if problem.gamma_floor is not None and not problem.gamma_floor >= 0:
        raise Invalid("the gamma floor must be a non-negative number", field="gamma_floor")
    for dome in problem.domes:
        if not dome.free_area >= 0 or not math.isfinite(dome.free_area):
            raise Invalid(
                "dome %(dome)s: free area must be a non-negative number",
                field="domes",
                dome=str(dome.id),
            )
    for dome_id, crops in problem.inventories.items():
        if dome_id not in known:
            raise Invalid(
                "inventory for unknown dome %(dome)s", field="inventories", dome=str(dome_id)
            )
        for crop, area in crops.items():
            if not area >= 0 or not math.isfinite(area):
                raise Invalid(
                    "dome %(dome)s, crop %(crop)s: area must be ≥ 0",
                    field="inventories",
                    dome=str(dome_id),
                    crop=str(crop),
                )
    lot_ids = set()
    for lot in problem.seed_lots:
        if lot.id in lot_ids:
            raise Invalid("seed lot %(lot)s appears twice", field="seed_lots", lot=str(lot.id))
        lot_ids.add(lot.id)
        if not lot.quantity >= 0 or not math.isfinite(lot.quantity):
            raise Invalid(
                "seed lot %(lot)s: quantity must be ≥ 0", field="seed_lots", lot=str(lot.id)
            )
        if lot.unit == "seeds" and not (lot.seeds_per_m2 or 0) > 0:
            raise Invalid(
                "seed lot %(lot)s: counted in seeds but no seeds per m²",
                field="seed_lots",
                lot=str(lot.id),
            )
        if lot.holder is not None and lot.holder not in known:
            raise Invalid(
                "seed lot %(lot)s: held by unknown dome %(dome)s",
                field="seed_lots",
                lot=str(lot.id),
                dome=str(lot.holder),
            )


def counted(area: float, min_plot: float) -> float:
    """Area that counts towards diversity: below the minimum plot a crop does not count."""
    return area if area >= min_plot and area > 0 else 0.0


def profile(
    dome_ids: list[str], areas: Mapping[str, Mapping[str, float]], min_plot: float
) -> Profile:
    """True diversity profile of domes given their crop areas."""
    crops = sorted({c for d in dome_ids for c in areas.get(d, {})})
    index = {c: j for j, c in enumerate(crops)}
    matrix = np.zeros((len(dome_ids), len(crops)))
    for i, dome in enumerate(dome_ids):
        for crop, area in areas.get(dome, {}).items():
            matrix[i, index[crop]] = counted(area, min_plot)
    rows = []
    for i, dome in enumerate(dome_ids):
        values = matrix[i][matrix[i] > 0]
        total = float(values.sum())
        if total > 0:
            p = values / total
            h1: float | None = float(np.exp(-np.sum(p * np.log(p))))
            h2: float | None = float(1.0 / np.sum(p * p))
        else:
            h1 = h2 = None
        rows.append(DomeProfile(dome, int(values.size), h1, h2, total))
    part = partition_q1(matrix) if matrix.size else partition_q1(np.zeros((1, 1)))
    hills = [r.hill_1 for r in rows if r.hill_1 is not None]
    return Profile(
        domes=rows,
        min_hill_1=min(hills) if hills else None,
        gamma=part.gamma,
        alpha=part.alpha,
        beta=part.beta,
    )


def seeds_by_crop(lots: list[SeedLot]) -> dict[str, float]:
    """Total plantable area per crop over all lots."""
    out: dict[str, float] = {}
    for lot in lots:
        out[lot.crop] = out.get(lot.crop, 0.0) + lot.area_equivalent()
    return out


def to_moves(
    plantings: Mapping[tuple[str, str], float],
    lots: list[SeedLot],
    inventories: Mapping[str, Mapping[str, float]] | None = None,
) -> list[Move]:
    """Split crop-level plantings over seed lots, preferring seed the dome already holds.

    Each move says how big the whole plot is and what the dome already grows of the crop,
    so a reader sees why a part from a second lot may be smaller than the minimum plot.
    """
    grown = inventories or {}
    left = {lot.id: lot.area_equivalent() for lot in lots}
    seeds_left = {lot.id: math.floor(lot.quantity + 1e-9) for lot in lots}
    by_crop: dict[str, list[SeedLot]] = {}
    for lot in lots:
        by_crop.setdefault(lot.crop, []).append(lot)
    moves = []
    for (dome, crop), area in sorted(plantings.items()):
        need = area
        ranked = sorted(
            by_crop.get(crop, []),
            key=lambda lot: (lot.holder != dome, lot.holder is not None, lot.id),
        )
        for lot in ranked:
            if need <= 1e-9:
                break
            take = min(need, left[lot.id])
            if take <= 1e-9:
                continue
            left[lot.id] -= take
            need -= take
            seeds = None
            if lot.unit == "seeds" and lot.seeds_per_m2:
                seeds = min(math.ceil(take * lot.seeds_per_m2 - 1e-6), seeds_left[lot.id])
                seeds_left[lot.id] -= seeds
            moves.append(
                Move(
                    lot.id,
                    crop,
                    lot.variety,
                    lot.holder,
                    dome,
                    round(take, 6),
                    seeds,
                    plot_m2=round(area, 6),
                    existing_m2=float(grown.get(dome, {}).get(crop, 0.0)),
                )
            )
    return moves

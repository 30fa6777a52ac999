"""Plan metrics exactly as the spec's plan format, computed in floating point from the plan."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from commonpot.network.flow import segment_sizes, segment_values
from commonpot.network.instance import Instance

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def received_by_need(inst: Instance, need: IntArray, quantity: IntArray) -> IntArray:
    """Units each need receives under the assignments (need index, quantity)."""
    received: IntArray = np.bincount(need, weights=quantity, minlength=inst.n_needs).astype(
        np.int64
    )
    return received


def segment_fill(inst: Instance, received: IntArray) -> IntArray:
    """Units in each fairness segment of each need (needs x K), filled in order."""
    k = inst.params.segments
    sizes = segment_sizes(inst.need_quantity, k)
    before = np.cumsum(sizes, axis=1) - sizes
    filled: IntArray = np.clip(received[:, None] - before, 0, sizes)
    return filled


def objective(inst: Instance, need: IntArray, quantity: IntArray, distance_km: FloatArray) -> float:
    """The spec's default objective of a plan: segment values minus transport cost."""
    filled = segment_fill(inst, received_by_need(inst, need, quantity))
    value = float(
        (inst.need_priority[:, None] * segment_values(inst.params.segments) * filled).sum()
    )
    return value - inst.params.cost_per_km * float((distance_km * quantity).sum())


def gini(values: FloatArray) -> float:
    """Gini coefficient of non-negative values (0 = all equal; 0 for no values or all zero)."""
    n = len(values)
    total = float(values.sum())
    if n == 0 or total <= 0:
        return 0.0
    ranked = np.sort(values)
    index = np.arange(1, n + 1, dtype=np.float64)
    return float(2.0 * (index * ranked).sum() / (n * total) - (n + 1) / n)


def plan_metrics(
    inst: Instance, need: IntArray, quantity: IntArray, distance_km: FloatArray
) -> dict[str, Any]:
    """Objective, totals, distance, fill rates by group (units received / requested) and Gini."""
    received = received_by_need(inst, need, quantity)
    total_offered = int(inst.offer_quantity.sum())
    total_allocated = int(quantity.sum())
    by_group: dict[str, float] = {}
    requested_g = np.bincount(
        inst.need_group, weights=inst.need_quantity, minlength=len(inst.groups)
    )
    received_g = np.bincount(inst.need_group, weights=received, minlength=len(inst.groups))
    for code, name in enumerate(inst.groups):
        by_group[name] = float(received_g[code] / requested_g[code]) if requested_g[code] else 0.0
    fill = received / np.maximum(inst.need_quantity, 1)
    return {
        "objective": objective(inst, need, quantity, distance_km),
        "total_offered": total_offered,
        "total_requested": int(inst.need_quantity.sum()),
        "total_allocated": total_allocated,
        "unallocated_offered": total_offered - total_allocated,
        "total_distance_km": float((distance_km * quantity).sum()),
        "fill_rate_by_group": by_group,
        "min_group_fill_rate": min(by_group.values()) if by_group else 0.0,
        "gini_fill_rate": gini(fill.astype(np.float64)),
    }

"""A small sparse LP/MILP builder over HiGHS (scipy's milp and linprog) for the crop planner."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, vstack


class Builder:
    """Collects columns and sparse rows for scipy's milp."""

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.cost: list[float] = []
        self.integer: list[int] = []
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.row_lb: list[float] = []
        self.row_ub: list[float] = []

    def var(self, lb: float, ub: float, cost: float = 0.0, integer: bool = False) -> int:
        """Add a column with bounds and cost; returns its index."""
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        self.integer.append(1 if integer else 0)
        return len(self.lb) - 1

    def row(self, terms: list[tuple[int, float]], lo: float, hi: float) -> None:
        """Add the row lo ≤ Σ coefficient·column ≤ hi."""
        k = len(self.row_lb)
        for col, val in terms:
            self.r.append(k)
            self.c.append(col)
            self.v.append(val)
        self.row_lb.append(lo)
        self.row_ub.append(hi)

    def solve(self, time_limit: float) -> tuple[str, NDArray[np.float64] | None, bool]:
        """Solve (MILP if any column is integer, else interior-point LP): status, x, optimal."""
        shape = (len(self.row_lb), len(self.lb))
        matrix = coo_matrix((self.v, (self.r, self.c)), shape=shape).tocsr()
        if not any(self.integer):
            lp = linprog(
                np.array(self.cost),
                bounds=list(zip(self.lb, self.ub, strict=True)),
                method="highs-ipm",
                options={"time_limit": max(time_limit, 1.0)},
                **_split_rows(matrix, np.array(self.row_lb), np.array(self.row_ub)),
            )
            if lp.x is None:
                return ("infeasible" if lp.status == 2 else "failed"), None, False
            return "ok", np.asarray(lp.x, dtype=np.float64), lp.status == 0
        result = milp(
            c=np.array(self.cost),
            integrality=np.array(self.integer),
            bounds=Bounds(np.array(self.lb), np.array(self.ub)),
            constraints=LinearConstraint(matrix, np.array(self.row_lb), np.array(self.row_ub)),
            options={"time_limit": max(time_limit, 1.0), "mip_rel_gap": 1e-2, "disp": False},
        )
        if result.x is None:
            return ("infeasible" if result.status == 2 else "failed"), None, False
        return "ok", np.asarray(result.x, dtype=np.float64), result.status == 0


def _split_rows(matrix: Any, lo: NDArray[np.float64], hi: NDArray[np.float64]) -> dict[str, Any]:
    """Turn lo ≤ Ax ≤ hi into linprog's A_ub x ≤ b_ub and A_eq x = b_eq."""
    eq = lo == hi
    upper = ~eq & np.isfinite(hi)
    lower = ~eq & np.isfinite(lo)
    a_ub = vstack([matrix[upper], -matrix[lower]]).tocsr()
    b_ub = np.concatenate([hi[upper], -lo[lower]])
    return {"A_ub": a_ub, "b_ub": b_ub, "A_eq": matrix[eq], "b_eq": lo[eq]}

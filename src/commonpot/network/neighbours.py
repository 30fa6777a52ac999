"""Points near a query on the sphere, without a tree: a uniform grid over 3-D unit vectors.

Points are hashed into cubic cells of side h (cell keys sorted once, so the points of
consecutive keys are consecutive). A query looks at the block of (2L+1)^3 cells around its
own cell: 9 runs of consecutive keys for L = 1, each found with one pair of binary
searches. Every point outside the block differs from the query by more than `reach` in
some coordinate, hence is farther than `reach` (chord length); faces of the block beyond
the occupied box bound nothing (no point lies there). Pure numpy: no scipy on the
allocation command's path (its import alone cost a fifth of the command).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# cells per axis at most 2^20, so that a cell key (x, y, z) fits an int64
_MAX_CELLS_PER_AXIS = float(1 << 20)
# chord units: cell indices are floors of rounded quotients, faces are moved in by this much
_FACE_MARGIN = 1e-13


@dataclass(frozen=True)
class Grid:
    """Points hashed into cubic cells; `order` lists the points by cell key, and within a cell
    by index (a stable sort)."""

    side: float
    origin: FloatArray  # (3,) lower corner of the occupied box
    shape: IntArray  # (3,) cells per axis
    keys: IntArray  # cell key of each point, in `order`
    order: IntArray
    # where each cell's points start in `order`, by key (when the box has few enough cells)
    cell_start: IntArray | None = None

    def runs(self, first_key: IntArray, last_key: IntArray) -> tuple[IntArray, IntArray]:
        """Positions in `order` of the points with keys first_key..last_key: (start, end)."""
        if self.cell_start is not None:
            return self.cell_start[first_key], self.cell_start[last_key + 1]
        return (
            np.searchsorted(self.keys, first_key, side="left"),
            np.searchsorted(self.keys, last_key, side="right"),
        )


def build_grid(points: FloatArray, side: float) -> Grid:
    """Points (n x 3) in cells of at least `side` (larger if the box would need too many)."""
    if len(points):
        origin = points.min(axis=0)
        extent = float((points.max(axis=0) - origin).max())
    else:
        origin, extent = np.zeros(3), 0.0
    side = max(side, extent / _MAX_CELLS_PER_AXIS, 1e-300)
    cells = _cells(points, origin, side)
    shape = cells.max(axis=0) + 1 if len(points) else np.ones(3, dtype=np.int64)
    keys = (cells[:, 0] * shape[1] + cells[:, 1]) * shape[2] + cells[:, 2]
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    n_cells = int(np.prod(shape))
    cell_start = None
    if n_cells <= 16 * len(points) + 65536:
        cell_start = np.zeros(n_cells + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=n_cells), out=cell_start[1:])
    return Grid(
        side=side,
        origin=origin,
        shape=shape.astype(np.int64),
        keys=keys,
        order=order,
        cell_start=cell_start,
    )


def _cells(points: FloatArray, origin: FloatArray, side: float) -> IntArray:
    scaled = np.floor((points - origin) / side)
    # queries far outside the box: any index beyond it behaves the same
    cells: IntArray = np.clip(scaled, -2.0, _MAX_CELLS_PER_AXIS + 2.0).astype(np.int64)
    return cells


@dataclass(frozen=True)
class Blocks:
    """For each query: the runs of `grid.order` positions in its block, and its reach."""

    start: IntArray  # (queries, runs)
    length: IntArray  # (queries, runs), 0 for runs outside the box
    reach: FloatArray  # every point outside the block is farther than this (chord)

    def of(self, rows: IntArray) -> Blocks:
        """The blocks of queries `rows` only."""
        return Blocks(start=self.start[rows], length=self.length[rows], reach=self.reach[rows])

    @property
    def count(self) -> IntArray:
        total: IntArray = self.length.sum(axis=1)
        return total


def blocks(grid: Grid, queries: FloatArray, layers: int = 1) -> Blocks:
    """The block of (2*layers+1)^3 cells around each query (q x 3 unit vectors)."""
    cells = _cells(queries, grid.origin, grid.side)
    shape = grid.shape
    low = cells - layers
    high = cells + layers
    # distance from the query to each face of its block; a face past the box bounds nothing
    below = queries - (grid.origin + low * grid.side)
    above = grid.origin + (high + 1) * grid.side - queries
    below = np.where(low <= 0, np.inf, below)
    above = np.where(high >= shape - 1, np.inf, above)
    reach: FloatArray = np.minimum(below, above).min(axis=1) - _FACE_MARGIN
    z_low = np.maximum(low[:, 2], 0)
    z_high = np.minimum(high[:, 2], shape[2] - 1)
    starts: list[IntArray] = []
    lengths: list[IntArray] = []
    for dx in range(-layers, layers + 1):
        x = cells[:, 0] + dx
        for dy in range(-layers, layers + 1):
            y = cells[:, 1] + dy
            inside = (x >= 0) & (x < shape[0]) & (y >= 0) & (y < shape[1]) & (z_low <= z_high)
            row = np.where(inside, (x * shape[1] + y) * shape[2], 0)
            first, last = grid.runs(
                row + np.where(inside, z_low, 0), row + np.where(inside, z_high, 0)
            )
            starts.append(first)
            lengths.append(np.where(inside, last - first, 0))
    return Blocks(
        start=np.column_stack(starts).astype(np.int64),
        length=np.column_stack(lengths).astype(np.int64),
        reach=reach,
    )


def gather(found: Blocks, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The points in the blocks of queries `rows`, row by row: (position of the row in
    `rows`, position of the point in `grid.order`)."""
    length = found.length[rows].ravel()
    some = np.flatnonzero(length)
    start = found.start[rows].ravel()[some]
    length = length[some]
    total = int(length.sum())
    # positions step by one inside a run and jump between runs: a cumulative sum
    step = np.ones(total, dtype=np.int64)
    if total:
        first = np.cumsum(length) - length
        step[first] = start
        step[first[1:]] -= start[:-1] + length[:-1] - 1
    position = np.cumsum(step)
    del step
    row = np.repeat(some // found.start.shape[1], length)
    return row, position


def cell_side(points: FloatArray, wanted: float) -> float:
    """A cell side at which a disc of that radius around a point holds about `wanted` points,
    from the density over the points' box (a surface: its two longest extents)."""
    if len(points) < 2:
        return np.inf
    extent = np.sort(points.max(axis=0) - points.min(axis=0))
    area = float(extent[2] * extent[1])
    by_area = float(np.sqrt(wanted * area / (np.pi * len(points))))
    by_length = float(extent[2]) * wanted / (2.0 * len(points))  # points along a line
    return max(by_area, by_length)

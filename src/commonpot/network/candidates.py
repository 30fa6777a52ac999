"""Feasible offer-need pairs, found with a grid of cells over unit vectors (never all pairs)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from commonpot.network.geo import (
    EARTH_RADIUS_KM,
    chord_for_km,
    haversine_km,
    km_for_chord,
    unit_vectors,
)
from commonpot.network.instance import Instance
from commonpot.network.neighbours import Blocks, Grid, blocks, build_grid, cell_side, gather

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Haversine and chord distances agree far better than this; it only guards the k-th boundary.
_EPS_KM = 1e-7
_TABLE_ENTRIES = 1 << 21  # offer-need entries looked at in one go (memory bound)
_WANTED = 1.5  # a first cell side at which a disc of that radius holds about 1.5 k offers
_AIM = 5.0  # blocks of about 5 k offers mostly settle a need's k nearest at once
_FINEST = 16  # cells at most 2^-16 of the first side


@dataclass(frozen=True)
class Candidates:
    """Feasible pairs sorted by need, then distance, then offer file order."""

    need: IntArray
    offer: IntArray
    distance_km: FloatArray


def _feasible(inst: Instance, offer: IntArray, dist: FloatArray) -> BoolArray:
    params = inst.params
    ok: BoolArray = (dist <= params.max_distance_km) & (
        dist / params.speed_kmh <= inst.offer_expires_h[offer]
    )
    return ok


def _sorted(
    need: IntArray, offer: IntArray, dist: FloatArray, *, within_need: bool = False
) -> Candidates:
    """Pairs in (need, distance, offer) order; `within_need` when each need's pairs are
    already in (distance, offer) order and together (then a stable sort by need does)."""
    order = np.argsort(need, kind="stable") if within_need else np.lexsort((offer, dist, need))
    return Candidates(need=need[order], offer=offer[order], distance_km=dist[order])


def _limits(inst: Instance, offers: IntArray) -> FloatArray:
    """Squared chord beyond which a pair with each offer is surely infeasible (padded)."""
    params = inst.params
    km = np.minimum(params.max_distance_km, params.speed_kmh * inst.offer_expires_h[offers])
    angle = np.minimum(km / EARTH_RADIUS_KM, np.pi)
    chord = 2.0 * np.sin(angle / 2.0) * (1.0 + 1e-9) + 1e-12
    limit: FloatArray = chord * chord
    return limit


def _chunks(rows: IntArray, count: IntArray) -> list[IntArray]:
    """Rows grouped by block size (little padding), each group of bounded table size."""
    rows = rows[np.argsort(count[rows], kind="stable")]
    sizes = np.maximum(count[rows], 1).tolist()
    groups: list[IntArray] = []
    first = 0
    while first < len(rows):
        # rows are sorted by size, so a group's table is (its rows) x (its last row's size)
        last = bisect_right(
            range(first, len(rows)), _TABLE_ENTRIES, key=lambda j: (j - first + 1) * sizes[j]
        )
        last = first + max(1, last)
        groups.append(rows[first:last])
        first = last
    return groups


def _holding(radius: float) -> float:
    """A cell side at which every block holds the radius around its query (a margin over the
    faces' rounding)."""
    return radius * (1.0 + 1e-6) + 1e-12


def _all_within(inst: Instance, offers: IntArray, needs: IntArray, radius: float) -> Candidates:
    offer_pts = unit_vectors(inst.offer_lat[offers], inst.offer_lon[offers])
    need_pts = unit_vectors(inst.need_lat[needs], inst.need_lon[needs])
    grid = build_grid(offer_pts, _holding(radius))
    found = blocks(grid, need_pts)
    axes = np.ascontiguousarray(offer_pts[grid.order].T)
    limit = _limits(inst, offers)[grid.order]
    parts: list[Candidates] = []
    for rows in _chunks(np.arange(len(needs)), found.count):
        row, position = gather(found, rows)
        chords = _squared_chords(axes, position, need_pts[rows], found.count[rows])
        near = chords <= limit[position]
        o = offers[grid.order[position[near]]]
        n = needs[rows[row[near]]]
        d = haversine_km(inst.offer_lat[o], inst.offer_lon[o], inst.need_lat[n], inst.need_lon[n])
        keep = _feasible(inst, o, d)
        parts.append(Candidates(need=n[keep], offer=o[keep], distance_km=d[keep]))
    return _joined(parts)


def _squared_chords(
    axes: FloatArray, position: IntArray, at: FloatArray, count: IntArray
) -> FloatArray:
    """|point position[i] - at[row of i]|^2: points given by their coordinates `axes` (3 x n),
    row r owning the next count[r] positions."""
    total = np.zeros(len(position))
    for axis in range(3):
        gap = axes[axis][position] - np.repeat(at[:, axis], count)
        total += gap * gap
    return total


def _joined(parts: list[Candidates]) -> Candidates:
    if not parts:
        empty_i = np.zeros(0, dtype=np.int64)
        return Candidates(need=empty_i, offer=empty_i.copy(), distance_km=np.zeros(0))
    return Candidates(
        need=np.concatenate([p.need for p in parts]),
        offer=np.concatenate([p.offer for p in parts]),
        distance_km=np.concatenate([p.distance_km for p in parts]),
    )


@dataclass(frozen=True)
class _Search:
    """One category's k-nearest search: offers, needs, limits, and the k."""

    inst: Instance
    offers: IntArray
    needs: IntArray
    need_pts: FloatArray
    limit: FloatArray
    radius: float
    k: int


@dataclass(frozen=True)
class _Pass:
    """One grid of the search, with the offers' arrays in grid order."""

    grid: Grid
    found: Blocks
    axes: FloatArray  # 3 x offers, in grid order
    limit: FloatArray | float  # in grid order, or one for all offers


_INF_BITS = np.float64(np.inf).view(np.int64)


def _nearest_in_blocks(
    s: _Search, p: _Pass, rows: IntArray, at: IntArray, *, whole: bool
) -> tuple[Candidates, BoolArray]:
    """The k nearest feasible offers of needs `at` (positions in `s.needs`; `rows` in the
    pass's blocks) among the offers of their blocks, and which needs that answers exactly (the
    rest need a bigger block, or `whole` blocks)."""
    inst, k = s.inst, s.k
    row, position = gather(p.found, rows)
    count = p.found.count[rows]
    row_start = np.cumsum(count) - count
    width = int(count.max(initial=0))
    column = np.arange(len(row), dtype=np.int64) - np.repeat(row_start, count)
    chords = _squared_chords(p.axes, position, s.need_pts[at], count)
    # sort keys: a squared chord's bits (non-negative floats order as their bits) with the
    # low bits replaced by the column, so one integer sort per row orders by chord; the
    # chord read back from a key is never above the real one
    bits = max(1, (width - 1).bit_length())
    mask = np.int64((1 << bits) - 1)
    limit = p.limit if isinstance(p.limit, float) else p.limit[position]
    chord_bits = np.where(chords <= limit, chords.view(np.int64), _INF_BITS)
    table = np.full((len(rows), width), _INF_BITS | mask, dtype=np.int64)
    cell = column + np.repeat(np.arange(len(rows), dtype=np.int64) * width, count)
    table.reshape(-1)[cell] = (chord_bits & ~mask) | column
    table.sort(axis=1)
    fetch = width if whole else min(k + 2, width)
    first = table[:, :fetch]
    possible = first < _INF_BITS
    if fetch < width:
        next_key = table[:, fetch] & ~mask
        left_out = np.where(next_key < _INF_BITS, np.sqrt(next_key.view(np.float64)), np.inf)
    else:
        left_out = np.full(len(rows), np.inf)
    flat = row_start[:, None] + np.where(possible, first & mask, 0)
    o = (
        s.offers[p.grid.order[position[np.minimum(flat, len(position) - 1)]]]
        if len(position)
        else np.zeros(first.shape, dtype=np.int64)
    )
    n = np.repeat(s.needs[at], fetch).reshape(len(rows), fetch)
    d = haversine_km(inst.offer_lat[o], inst.offer_lon[o], inst.need_lat[n], inst.need_lon[n])
    ok = possible & _feasible(inst, o, d)
    d_ok = np.where(ok, d, np.inf)
    order = np.lexsort((o, d_ok), axis=1) if fetch > 1 else np.zeros_like(o)
    d_sorted = np.take_along_axis(d_ok, order, axis=1)
    n_ok = ok.sum(axis=1)
    reach = p.found.reach[rows]
    safe = km_for_chord(np.minimum(reach, left_out))
    kth = d_sorted[:, min(k, fetch) - 1] if fetch else np.full(len(rows), np.inf)
    # every offer possibly feasible in the block was looked at, and the block holds the radius
    complete = np.isinf(left_out) & (reach >= s.radius)
    done = complete | ((n_ok >= k) & (kth < safe - _EPS_KM))
    # each row's first k in (distance, offer) order: the output is sorted within a need
    best = order[:, :k]
    take = np.take_along_axis(ok, best, axis=1) & done[:, None]
    found_pairs = Candidates(
        need=n[:, : best.shape[1]][take],
        offer=np.take_along_axis(o, best, axis=1)[take],
        distance_km=np.take_along_axis(d, best, axis=1)[take],
    )
    return found_pairs, done


def _k_nearest(
    inst: Instance, offers: IntArray, needs: IntArray, radius: float, k: int
) -> Candidates:
    """Each need's k nearest feasible offers: blocks of grid cells, bigger for the needs whose
    k-th offer (or expiry) is not settled inside their block."""
    offer_pts = unit_vectors(inst.offer_lat[offers], inst.offer_lon[offers])
    limit = _limits(inst, offers)
    s = _Search(
        inst=inst,
        offers=offers,
        needs=needs,
        need_pts=unit_vectors(inst.need_lat[needs], inst.need_lon[needs]),
        limit=limit,
        radius=radius,
        k=k,
    )
    # without expiries every offer has the radius as its limit
    same_limit = float(limit[0]) if len(limit) and (limit == limit[0]).all() else None
    whole_side = _holding(radius)
    # (at most 30 doublings below the radius: coincident offers give no density)
    first_side = min(max(cell_side(offer_pts, _WANTED * k), whole_side * 2.0**-30), whole_side)
    # each need's grid: cell side first_side * 2^level; a need whose block is crowded moves
    # to a finer grid first, one whose k-th offer is not settled (or whose block is sparse)
    # to a coarser one, and never back finer than that (`floor`)
    top = int(np.ceil(np.log2(whole_side / first_side))) if first_side < whole_side else 0
    level = np.zeros(len(needs), dtype=np.int64)
    floor = np.full(len(needs), -_FINEST, dtype=np.int64)
    left = np.ones(len(needs), dtype=bool)
    parts: list[Candidates] = []
    while left.any():
        here = int(level[left].min())
        pending = np.flatnonzero(left & (level == here))
        grid = build_grid(offer_pts, min(first_side * 2.0**here, whole_side))
        found = blocks(grid, s.need_pts[pending])
        # the grid at which the block would hold about `_AIM` k offers (counts grow like the
        # square of the side): crowded blocks move finer, sparse ones coarser (for good)
        aim = np.round(0.5 * np.log2((_AIM * k + _AIM) / np.maximum(found.count, 1)))
        aim = here + np.minimum(aim.astype(np.int64), top - here)
        aim = np.maximum(aim, floor[pending])
        covered = found.reach >= radius
        moved = (aim != here) & ~covered
        level[pending[moved]] = aim[moved]
        coarser = pending[moved & (aim > here)]
        floor[coarser] = level[coarser]
        stay = np.flatnonzero(~moved)
        p = _Pass(
            grid=grid,
            found=found.of(stay),
            axes=np.ascontiguousarray(offer_pts[grid.order].T),
            limit=same_limit if same_limit is not None else limit[grid.order],
        )
        settled = _settle(s, p, pending[stay], parts)
        left[pending[stay[settled]]] = False
        later = pending[stay[~settled]]
        level[later] = floor[later] = here + 1
    return _joined(parts)


def _settle(s: _Search, p: _Pass, pending: IntArray, parts: list[Candidates]) -> BoolArray:
    """Answers the needs `pending` whose blocks in this pass settle their k nearest (into
    `parts`); which ones did."""
    covered = p.found.reach >= s.radius
    # a block with fewer than k offers settles nothing unless it holds the radius
    ready = np.flatnonzero(covered | (p.found.count >= s.k))
    settled = np.zeros(len(pending), dtype=bool)
    for rows in _chunks(ready, p.found.count):
        pairs, done = _nearest_in_blocks(s, p, rows, pending[rows], whole=False)
        parts.append(pairs)
        settled[rows[done]] = True
        again = rows[~done & covered[rows]]
        if len(again):  # the radius is inside the block: look at every offer in it
            pairs, _ = _nearest_in_blocks(s, p, again, pending[again], whole=True)
            parts.append(pairs)
            settled[again] = True
    return settled


def build_candidates(inst: Instance) -> Candidates:
    """All feasible pairs (or each need's k nearest feasible offers), category by category."""
    params = inst.params
    radius = chord_for_km(params.max_distance_km)
    parts: list[Candidates] = []
    for code in range(len(inst.categories)):
        offers = np.flatnonzero(inst.offer_category == code)
        needs = np.flatnonzero(inst.need_category == code)
        if not len(offers) or not len(needs):
            continue
        if params.candidates_per_need > 0:
            parts.append(_k_nearest(inst, offers, needs, radius, params.candidates_per_need))
        else:
            parts.append(_all_within(inst, offers, needs, radius))
    if not parts:
        empty_i = np.zeros(0, dtype=np.int64)
        return Candidates(need=empty_i, offer=empty_i.copy(), distance_km=np.zeros(0))
    return _sorted(
        np.concatenate([p.need for p in parts]),
        np.concatenate([p.offer for p in parts]),
        np.concatenate([p.distance_km for p in parts]),
        within_need=params.candidates_per_need > 0,
    )


def brute_force_candidates(inst: Instance) -> Candidates:
    """Reference implementation over all pairs, for tests and small instances."""
    grid_n, grid_o = np.meshgrid(np.arange(inst.n_needs), np.arange(inst.n_offers), indexing="ij")
    n: IntArray = grid_n.ravel().astype(np.int64)
    o: IntArray = grid_o.ravel().astype(np.int64)
    d = haversine_km(inst.offer_lat[o], inst.offer_lon[o], inst.need_lat[n], inst.need_lon[n])
    keep = (inst.offer_category[o] == inst.need_category[n]) & _feasible(inst, o, d)
    n, o, d = n[keep], o[keep], d[keep]
    k = inst.params.candidates_per_need
    if k > 0:
        order = np.lexsort((o, d, n))
        n, o, d = n[order], o[order], d[order]
        starts = np.searchsorted(n, n, side="left")
        rank = np.arange(len(n)) - starts
        keep = rank < k
        n, o, d = n[keep], o[keep], d[keep]
    return _sorted(n, o, d)

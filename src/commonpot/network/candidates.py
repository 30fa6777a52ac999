"""Feasible offer-need pairs, found with a k-d tree on unit vectors (never all pairs)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from commonpot.network.geo import chord_for_km, haversine_km, km_for_chord, unit_vectors
from commonpot.network.instance import Instance

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Haversine and chord distances agree far better than this; it only guards the k-th boundary.
_EPS_KM = 1e-7


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


def _all_within(inst: Instance, offers: IntArray, needs: IntArray, radius: float) -> Candidates:
    offer_tree = cKDTree(unit_vectors(inst.offer_lat[offers], inst.offer_lon[offers]))
    need_tree = cKDTree(unit_vectors(inst.need_lat[needs], inst.need_lon[needs]))
    pairs = offer_tree.sparse_distance_matrix(need_tree, radius, output_type="ndarray")
    o = offers[pairs["i"].astype(np.int64)]
    n = needs[pairs["j"].astype(np.int64)]
    d = haversine_km(inst.offer_lat[o], inst.offer_lon[o], inst.need_lat[n], inst.need_lon[n])
    keep = _feasible(inst, o, d)
    return Candidates(need=n[keep], offer=o[keep], distance_km=d[keep])


def _k_nearest(
    inst: Instance, offers: IntArray, needs: IntArray, radius: float, k: int
) -> Candidates:
    """Each need's k nearest feasible offers; fetches more where expiry or ties demand it."""
    tree = cKDTree(unit_vectors(inst.offer_lat[offers], inst.offer_lon[offers]))
    points = unit_vectors(inst.need_lat[needs], inst.need_lon[needs])
    parts: list[Candidates] = []
    pending = np.arange(len(needs))
    fetch = min(k + 2, len(offers))
    while len(pending):
        chord, local = tree.query(points[pending], k=fetch, distance_upper_bound=radius)
        chord = np.asarray(chord, dtype=np.float64).reshape(len(pending), fetch)
        local = np.asarray(local, dtype=np.int64).reshape(len(pending), fetch)
        valid = local < len(offers)
        rows = np.repeat(pending, fetch).reshape(len(pending), fetch)
        o = offers[np.where(valid, local, 0)]
        n = needs[rows]
        d = haversine_km(inst.offer_lat[o], inst.offer_lon[o], inst.need_lat[n], inst.need_lon[n])
        ok = valid & _feasible(inst, o, d)
        d_ok = np.where(ok, d, np.inf)
        order = np.lexsort((o, d_ok), axis=1) if fetch > 1 else np.zeros_like(o)
        d_sorted = np.take_along_axis(d_ok, order, axis=1)
        n_ok = ok.sum(axis=1)
        exhausted = valid.sum(axis=1) < fetch  # every offer within the radius was fetched
        last = km_for_chord(np.where(valid, chord, 0.0).max(axis=1))
        kth = d_sorted[:, min(k, fetch) - 1]
        done = exhausted | (fetch >= len(offers)) | ((n_ok >= k) & (kth < last - _EPS_KM))
        # each row's first k in (distance, offer) order: the output is sorted within a need
        first = order[:, :k]
        take = np.take_along_axis(ok, first, axis=1) & done[:, None]
        parts.append(
            Candidates(
                need=n[:, : first.shape[1]][take],
                offer=np.take_along_axis(o, first, axis=1)[take],
                distance_km=np.take_along_axis(d, first, axis=1)[take],
            )
        )
        pending = pending[~done]
        fetch = min(fetch * 2, len(offers))
    return Candidates(
        need=np.concatenate([p.need for p in parts]),
        offer=np.concatenate([p.offer for p in parts]),
        distance_km=np.concatenate([p.distance_km for p in parts]),
    )


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

"""Great-circle geometry on the WGS84 mean sphere: haversine distances and chord radii."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088

FloatArray = NDArray[np.float64]


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Haversine great-circle distance in km between paired points given in degrees."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi * 0.5) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam * 0.5) ** 2
    np.clip(a, 0.0, 1.0, out=a)
    result: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    return result


def unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Points in degrees as 3D unit vectors (n x 3), so that chord length orders like arc length."""
    phi = np.radians(lat)
    lam = np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_for_km(distance_km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance, padded against rounding."""
    angle = distance_km / EARTH_RADIUS_KM
    if angle >= math.pi:
        return 2.0 + 1e-9
    return 2.0 * math.sin(angle / 2.0) * (1.0 + 1e-9) + 1e-12


def km_for_chord(chord: FloatArray) -> FloatArray:
    """Great-circle distance in km for chord lengths on the unit sphere."""
    result: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord * 0.5, 0.0, 1.0))
    return result


def locality_rank(lat: FloatArray, lon: FloatArray) -> NDArray[np.int64]:
    """Each point's position along a Hilbert curve over the points' bounding box: points close
    on the map get close numbers. Used only for memory locality (solver speed)."""
    n = len(lat)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    bits = min(16, max(1, math.ceil(math.log2(math.sqrt(n) + 1)) + 1))
    side = 1 << bits

    def grid(values: FloatArray) -> NDArray[np.int64]:
        low = float(values.min())
        span = float(values.max()) - low
        scaled = (values - low) * ((side - 1) / span) if span > 0 else np.zeros(n)
        index: NDArray[np.int64] = np.clip(scaled.astype(np.int64), 0, side - 1)
        return index

    x, y = grid(lon), grid(lat)
    d = np.zeros(n, dtype=np.int64)
    s = side // 2
    while s > 0:
        rx = ((x & s) > 0).astype(np.int64)
        ry = ((y & s) > 0).astype(np.int64)
        d += s * s * ((3 * rx) ^ ry)
        turn = ry == 0
        flip = turn & (rx == 1)
        x = np.where(flip, side - 1 - x, x)
        y = np.where(flip, side - 1 - y, y)
        x, y = np.where(turn, y, x), np.where(turn, x, y)
        s //= 2
    order = np.argsort(d, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
    return rank

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

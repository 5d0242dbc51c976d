"""Customers near a point: a lat/lon grid narrows to a bounding box, a local ellipsoidal
approximation (numpy) ranks, and the exact WGS-84 geodesic decides every answer.

The approximation (meridian and prime-vertical radii at the mid-latitude) is within 1e-5 of
the geodesic up to 100 km; the exact distance is computed for every candidate that the
error bound cannot settle, so the result equals a brute-force geodesic scan.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from core.geo import Point, bounding_box, distance_m
from core.search.grams import I32, I64
from core.search.textindex import F64

CELL_DEG = 0.02
"""Grid cell edge in degrees (about 2 km of latitude)."""
APPROX_MAX_M = 100_000.0
"""Beyond this radius every candidate gets the exact geodesic."""
REL_ERROR, ABS_ERROR = 1e-4, 0.01
_A, _F = 6_378_137.0, 1 / 298.257223563
_E2 = _F * (2 - _F)


def approx_m(point: Point, lat: F64, lon: F64) -> F64:
    """Fast ellipsoidal distance for short ranges (relative error below 1e-5 under 100 km)."""
    phi = np.radians((lat + point.lat) / 2)
    s = np.sin(phi)
    w = np.sqrt(1 - _E2 * s * s)
    meridian = _A * (1 - _E2) / w**3
    normal = _A / w
    dy = meridian * np.radians(lat - point.lat)
    dx = normal * np.cos(phi) * np.radians(lon - point.lon)
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def _cell(lat: F64, lon: F64) -> I64:
    row = np.floor(lat / CELL_DEG).astype(np.int64) + 10_000
    col = np.floor(lon / CELL_DEG).astype(np.int64) + 20_000
    return np.asarray(row * 100_000 + col, dtype=np.int64)


class GeoGrid:
    """Slots with coordinates sorted by grid cell; slots added after the build are scanned."""

    def __init__(self) -> None:
        self._keys: I64 = np.empty(0, np.int64)
        self._slots: I32 = np.empty(0, np.int32)
        self.built_size = 0

    def rebuild(self, lat: F64, lon: F64, size: int) -> None:
        located = np.flatnonzero(np.isfinite(lat[:size]) & np.isfinite(lon[:size])).astype(np.int32)
        keys = _cell(lat[located], lon[located])
        order = np.argsort(keys, kind="stable")
        self._keys, self._slots = keys[order], located[order]
        self.built_size = size

    def in_box(self, point: Point, radius_m: float, lat: F64, lon: F64, size: int) -> I32:
        """Slots inside the bounding box of the circle (live or not: the caller filters)."""
        min_lat, max_lat, min_lon, max_lon = bounding_box(point, radius_m)
        rows = range(math.floor(min_lat / CELL_DEG), math.floor(max_lat / CELL_DEG) + 1)
        first_col = math.floor(min_lon / CELL_DEG) + 20_000
        last_col = math.floor(max_lon / CELL_DEG) + 20_000
        parts: list[I32] = []
        for row in rows:
            base = (row + 10_000) * 100_000
            i, j = np.searchsorted(self._keys, [base + first_col, base + last_col + 1])
            parts.append(self._slots[i:j])
        parts.append(np.arange(self.built_size, size, dtype=np.int32))
        slots = np.concatenate(parts)
        la, lo = lat[slots], lon[slots]
        inside = (la >= min_lat) & (la <= max_lat) & (lo >= min_lon) & (lo <= max_lon)
        return slots[inside]


def nearest(point: Point, radius_m: float, slots: I32, lat: F64, lon: F64, limit: int) -> list[tuple[int, float]]:
    """(slot, geodesic metres) of the `limit` nearest slots within the radius, nearest first."""
    if len(slots) == 0 or limit <= 0:
        return []
    if radius_m > APPROX_MAX_M:
        return _exact(point, radius_m, slots, lat, lon, limit)
    approx = approx_m(point, lat[slots], lon[slots])
    slack = approx * REL_ERROR + ABS_ERROR
    maybe = approx - slack <= radius_m
    slots, approx, slack = slots[maybe], approx[maybe], slack[maybe]
    if len(slots) > limit:
        kth = np.partition(approx + slack, limit - 1)[limit - 1]
        close = approx - slack <= kth
        found = _exact(point, radius_m, slots[close], lat, lon, limit)
        if len(found) == limit:
            return found
    return _exact(point, radius_m, slots, lat, lon, limit)


def _exact(point: Point, radius_m: float, slots: I32, lat: F64, lon: F64, limit: int) -> list[tuple[int, float]]:
    found = []
    for slot in slots.tolist():
        d = distance_m(point, Point(float(lat[slot]), float(lon[slot])))
        if d <= radius_m:
            found.append((slot, d))
    found.sort(key=lambda pair: (pair[1], pair[0]))
    return found[:limit]


def as_float(values: npt.ArrayLike) -> F64:
    return np.asarray(values, dtype=np.float64)

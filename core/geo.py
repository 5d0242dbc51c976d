"""Positions, ellipsoidal distances, the geofence verdict and check-in trust signals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from geopy.distance import geodesic

from core.datum import DATUMS, to_wgs84
from core.errors import InvalidInput

EARTH_M_PER_DEG_LAT = 110_574.0


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float

    @classmethod
    def checked(cls, lat: float, lon: float, datum: str = "wgs84") -> Point:
        """A WGS-84 point from untrusted input: finite, in range, not the (0, 0) of a failed fix.

        `datum` is what the source reports in (GCJ-02 for WeCom, Feishu, Tencent and Amap
        maps); the point is converted here, before any distance is measured from it.
        """
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            raise InvalidInput("error.location_invalid") from None
        if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput("error.location_invalid")
        if abs(lat) < 1e-6 and abs(lon) < 1e-6:
            raise InvalidInput("error.location_zero")
        if datum not in DATUMS:
            raise InvalidInput("error.location_invalid")
        return cls(*to_wgs84(lat, lon, datum))


def distance_m(a: Point, b: Point) -> float:
    """WGS-84 geodesic distance (Karney): a point 500.5 m away is outside a 500 m fence."""
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).meters)


def bounding_box(center: Point, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) containing every point within radius_m, with margin."""
    dlat = radius_m / EARTH_M_PER_DEG_LAT * 1.01
    cos_lat = max(math.cos(math.radians(center.lat)), 0.01)
    dlon = radius_m / (111_320.0 * cos_lat) * 1.01
    return center.lat - dlat, center.lat + dlat, center.lon - dlon, center.lon + dlon


def inside_fence(distance: float, radius_m: float) -> bool:
    return distance <= radius_m


@dataclass(frozen=True)
class Fix:
    """One reported position and how it was obtained."""

    point: Point
    accuracy_m: float | None
    live: bool
    source: str
    taken_at: datetime
    received_at: datetime
    datum: str = "wgs84"
    """The datum the source reported in; `point` is already converted to WGS-84."""


def trust_flags(
    fix: Fix,
    *,
    previous: tuple[Point, datetime] | None,
    min_accuracy_m: float,
    max_speed_kmh: float,
    stale_after_s: float = 600,
) -> tuple[list[str], float | None]:
    """Signals that a position may not be where the rep really is, and the implied speed."""
    flags: list[str] = []
    if not fix.live and fix.source in ("pin", "manual"):
        flags.append("static_pin")
    if fix.source == "manual":
        flags.append("typed_coordinates")
    if fix.accuracy_m is None:
        flags.append("unknown_accuracy")
    elif fix.accuracy_m > min_accuracy_m:
        flags.append("poor_accuracy")
    if (fix.received_at - fix.taken_at).total_seconds() > stale_after_s:
        flags.append("late_position")
    speed: float | None = None
    if previous is not None:
        hours = (fix.taken_at - previous[1]).total_seconds() / 3600
        km = distance_m(previous[0], fix.point) / 1000
        if hours > 0:
            speed = km / hours
            if speed > max_speed_kmh and km > 1:
                flags.append("impossible_speed")
        elif km > 1:
            speed = math.inf
            flags.append("impossible_speed")
    return flags, (None if speed is None or math.isinf(speed) else round(speed, 1))

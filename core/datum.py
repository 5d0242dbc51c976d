"""Map datums used in China: GCJ-02 (Tencent/Amap/WeCom/Feishu) and BD-09 (Baidu) to WGS-84.

Chinese map and location sources report GCJ-02, an obfuscated datum offset from WGS-84 by
a few hundred metres (~500 m around Shanghai); Baidu adds its own BD-09 shift on top.
Customer sites and the geodesic distance are WGS-84, so a position is converted before any
distance, or a rep standing at the gate is judged outside a 300 m geofence.

The forward transform is the well-known public one (Krasovsky ellipsoid constants and
sine series); the inverse has no closed form and is solved by fixed-point iteration to
about a millimetre. Outside China no offset applies and the coordinates pass unchanged.
"""

from __future__ import annotations

import math
from typing import Literal

Datum = Literal["wgs84", "gcj02", "bd09"]
DATUMS: tuple[Datum, ...] = ("wgs84", "gcj02", "bd09")

KRASOVSKY_A = 6378245.0
"""Semi-major axis of the Krasovsky 1940 ellipsoid that GCJ-02 is defined on."""
KRASOVSKY_EE = 0.00669342162296594323
"""Its first eccentricity squared."""
BD_X_PI = math.pi * 3000.0 / 180.0
INVERSE_TOLERANCE_DEG = 1e-9
"""About 0.1 mm: the inverse stops when re-projecting its answer lands this close."""
INVERSE_MAX_STEPS = 30


def outside_china(lat: float, lon: float) -> bool:
    """The box outside which GCJ-02 applies no offset (the reference implementations use it too)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _series(x: float, y: float) -> tuple[float, float]:
    """The GCJ-02 offset series in (metres-ish) units, around (105 E, 35 N)."""
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + common
    lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y / 30.0 * math.pi)) * 2.0 / 3.0
    lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + common
    lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return lat, lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if outside_china(lat, lon):
        return lat, lon
    dlat, dlon = _series(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1.0 - KRASOVSKY_EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 projection is (lat, lon), by fixed-point iteration."""
    if outside_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(INVERSE_MAX_STEPS):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        dlat, dlon = glat - lat, glon - lon
        if abs(dlat) < INVERSE_TOLERANCE_DEG and abs(dlon) < INVERSE_TOLERANCE_DEG:
            break
        wlat, wlon = wlat - dlat, wlon - dlon
    return wlat, wlon


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * BD_X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * BD_X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * BD_X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * BD_X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def to_wgs84(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """(lat, lon) given in `datum` as WGS-84; an unknown datum is a programming error."""
    if datum == "wgs84":
        return lat, lon
    if datum == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    if datum == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))
    raise ValueError(f"unknown datum {datum!r}; one of {', '.join(DATUMS)}")

"""GCJ-02 / BD-09 → WGS-84: published reference points, round trips, and the geofence it decides."""

from __future__ import annotations

import pytest

from core.datum import bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, outside_china, to_wgs84, wgs84_to_gcj02
from core.errors import InvalidInput
from core.geo import Point, distance_m

# The reference points published with eviltransform's test suite: (wgs lat, lon, gcj lat, lon).
PUBLISHED = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PUBLISHED)
def test_forward_matches_published_points(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lat, lon = wgs84_to_gcj02(wlat, wlon)
    assert lat == pytest.approx(glat, abs=1e-12)
    assert lon == pytest.approx(glon, abs=1e-12)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), PUBLISHED)
def test_inverse_lands_within_a_millimetre(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lat, lon = gcj02_to_wgs84(glat, glon)
    assert distance_m(Point(lat, lon), Point(wlat, wlon)) < 0.001


def test_round_trips_across_china() -> None:
    for lat in (18.3, 23.1, 31.3, 39.9, 45.8, 53.0):
        for lon in (75.9, 87.6, 104.1, 114.3, 121.6, 131.0):
            back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
            assert distance_m(Point(*back), Point(lat, lon)) < 0.001


def test_the_offset_is_hundreds_of_metres_around_suzhou() -> None:
    site = Point(31.2990, 120.5853)
    shown = Point(*wgs84_to_gcj02(site.lat, site.lon))
    assert 300 < distance_m(site, shown) < 700


def test_outside_china_nothing_moves() -> None:
    assert outside_china(48.85, 2.35)
    assert wgs84_to_gcj02(48.85, 2.35) == (48.85, 2.35)
    assert gcj02_to_wgs84(48.85, 2.35) == (48.85, 2.35)
    assert to_wgs84(-33.9, 151.2, "gcj02") == (-33.9, 151.2)


def test_bd09_round_trip_and_chain() -> None:
    glat, glon = 31.2304, 121.4737
    blat, blon = gcj02_to_bd09(glat, glon)
    assert (blat, blon) != (glat, glon)
    lat, lon = bd09_to_gcj02(blat, blon)
    assert distance_m(Point(lat, lon), Point(glat, glon)) < 0.5
    wlat, wlon = to_wgs84(blat, blon, "bd09")
    assert distance_m(Point(wlat, wlon), Point(*gcj02_to_wgs84(glat, glon))) < 0.5


def test_checked_point_converts_and_validates_the_datum() -> None:
    wlat, wlon, glat, glon = PUBLISHED[0]
    p = Point.checked(glat, glon, "gcj02")
    assert distance_m(p, Point(wlat, wlon)) < 0.001
    assert Point.checked(wlat, wlon) == Point(wlat, wlon)
    with pytest.raises(InvalidInput):
        Point.checked(glat, glon, "mars")
    with pytest.raises(ValueError, match="unknown datum"):
        to_wgs84(glat, glon, "mars")

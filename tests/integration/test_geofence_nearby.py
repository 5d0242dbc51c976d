"""Nearby and the geofence on ellipsoidal distances: points just inside and just outside."""

from __future__ import annotations

import pytest
from geographiclib.geodesic import Geodesic
from sqlalchemy import select

from core.geo import Point, distance_m, inside_fence
from core.models import Visit
from core.permissions import scope_for
from tests.support.world import SIP


def at_distance(metres: float, azimuth: float) -> Point:
    """The point `metres` from the hengli site along `azimuth` (exact WGS-84 geodesic)."""
    g = Geodesic.WGS84.Direct(SIP[0], SIP[1], azimuth, metres)
    return Point(g["lat2"], g["lon2"])


FENCE = [
    # (metres from the site, fence radius, inside?)
    (0.0, 300, True),
    (299.0, 300, True),
    (301.0, 300, False),
    (499.5, 500, True),
    (500.5, 500, False),
    (1000.0, 500, False),
]


@pytest.mark.parametrize(("metres", "radius", "inside"), FENCE)
@pytest.mark.parametrize("azimuth", [0.0, 90.0, 225.0])
async def test_geofence_table(container, world, metres, radius, inside, azimuth):
    site = Point(*SIP)
    where = at_distance(metres, azimuth)
    assert abs(distance_m(where, site) - metres) < 0.01
    assert inside_fence(distance_m(where, site), radius) is inside
    async with container.sessionmaker() as s:
        scope = await scope_for(s, world.users["rep"])
        hits = await container.deps.search.nearby(s, scope=scope, point=where, radius_m=radius)
    found = {h.customer.id: h.distance_m for h in hits}
    assert (world.cid("hengli") in found) is inside
    if inside:
        assert abs(found[world.cid("hengli")] - metres) < 0.01


@pytest.mark.parametrize(("metres", "verdict"), [(299.0, "inside"), (301.0, "outside")])
async def test_check_in_verdict_at_the_fence(container, world, chat_as, metres, verdict):
    rep = await chat_as("rep")
    await rep.say("/checkin")
    where = at_distance(metres, 45.0)
    await rep.locate(where.lat, where.lon, accuracy=10)
    await rep.tap("苏州恒力")
    assert verdict in rep.text
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
    assert abs(visit.distance_m - metres) < 0.05 and visit.inside_fence is (verdict == "inside")


async def test_nearby_nearest_first_within_scope_and_pool(container, world):
    """From the SIP: hengli (own) then tianyu (pool); baogang (rep2's, 50 km) never for rep."""
    async with container.sessionmaker() as s:
        rep = await scope_for(s, world.users["rep"])
        hits = await container.deps.search.nearby(s, scope=rep, point=Point(*SIP), radius_m=100_000)
        assert [h.customer.id for h in hits] == [world.cid(k) for k in ("hengli", "tianyu", "lianzhong")]
        assert [round(h.distance_m or 0) for h in hits] == sorted(round(h.distance_m or 0) for h in hits)
        pool = await container.deps.search.nearby(s, scope=rep, point=Point(*SIP), radius_m=100_000, pool_only=True)
        assert [h.customer.id for h in pool] == [world.cid("tianyu")]
        boss = await scope_for(s, world.users["director"])
        far = await container.deps.search.nearby(s, scope=boss, point=Point(*SIP), radius_m=100_000)
        assert world.cid("baogang") in {h.customer.id for h in far}
        wide = await container.deps.search.nearby(s, scope=boss, point=Point(*SIP), radius_m=2_000_000, limit=20)
        assert len(wide) == 6 and all(h.customer.lat is not None for h in wide)

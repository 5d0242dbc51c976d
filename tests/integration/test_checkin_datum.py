"""A GCJ-02 position (WeCom, Feishu) is converted to WGS-84 before the geofence verdict."""

from __future__ import annotations

from sqlalchemy import select

from core.datum import wgs84_to_gcj02
from core.models import Visit
from tests.support.world import SIP


async def test_gcj02_position_at_the_gate_is_inside(container, world, chat_as):
    rep = await chat_as("rep")
    at_gate = (SIP[0] + 0.0009, SIP[1])  # ~100 m north of the site, in WGS-84
    shown = wgs84_to_gcj02(*at_gate)  # what WeCom reports for the same spot
    await rep.locate(*shown, accuracy=15, datum="gcj02")
    await rep.tap("苏州恒力")
    assert "inside" in rep.text
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
    assert visit.datum == "gcj02"
    assert 95 < visit.distance_m < 105
    assert abs(visit.lat - at_gate[0]) < 1e-7 and abs(visit.lon - at_gate[1]) < 1e-7  # stored in WGS-84


async def test_the_same_numbers_taken_as_wgs84_would_be_outside(container, world, chat_as):
    rep = await chat_as("rep")
    shown = wgs84_to_gcj02(SIP[0] + 0.0009, SIP[1])
    await rep.locate(*shown, accuracy=15)  # the mistake the datum prevents
    await rep.tap("苏州恒力")
    assert "outside" in rep.text
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
    assert visit.datum == "wgs84" and visit.distance_m > 400

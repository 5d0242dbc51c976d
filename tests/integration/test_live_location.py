"""Live location updates (every few seconds, for hours) refresh the open visit and never answer."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Visit
from tests.support.chat import Chat
from tests.support.world import SIP


async def test_live_updates_move_the_open_visit_silently_whatever_dialog_is_open(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.locate(SIP[0] + 0.004, SIP[1], 15, live=True)
    await rep.tap("苏州恒力")
    assert "outside" in rep.text
    await rep.say("/lead")
    assert await rep.locate(SIP[0] + 0.0002, SIP[1], 6, live=True, update_of_live=True) == []
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.inside_fence and visit.accuracy_m == 6
    await rep.say("王经理 13812345678 苏州恒力机械")
    assert "Possible duplicate" in rep.text


async def test_live_updates_from_an_unbound_chat_get_no_binding_prompt(container, world):
    stranger = Chat(container.engine, "stranger")
    assert await stranger.locate(*SIP, live=True, update_of_live=True) == []

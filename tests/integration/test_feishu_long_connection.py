"""Long-connection mode: lark-oapi's own WebSocket client, in its own thread and loop, against a
local gateway speaking Feishu's frame protocol; its events reach the same path as HTTP events
(de-duplication included) and a card click's answer goes back over the socket.

The test runs inside a running event loop, and lark_oapi.ws.client was first imported on this
thread (by the gateway), which is exactly where the SDK's own start() fails.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core.models import ProcessedEvent
from tests.support.feishu import card_action, feishu_rig, message
from tests.support.feishu_gateway import FeishuGateway
from tests.support.feishu_user import FeishuUser, buttons, visible

REP = "ou_rep0001"


async def test_events_over_the_long_connection_take_the_http_path(clean_db, world):
    from lark_oapi.ws import client as sdk_ws  # type: ignore[import-not-found, import-untyped]

    gateway = FeishuGateway()
    await gateway.start()
    try:
        async with feishu_rig(clean_db, configured_url=gateway.url, feishu_long_connection=True) as rig:
            rep = FeishuUser(rig, REP)
            await rig.bind("rep", REP)
            await rig.adapter.start()
            await asyncio.wait_for(gateway.connected.wait(), 30)
            assert gateway.endpoint_requests == [{"AppID": "cli_a1b2c3", "AppSecret": "feishu-secret"}]
            assert sdk_ws.loop is not asyncio.get_running_loop()  # the SDK drives its own loop, not the app's

            agenda = message(REP, "text", {"text": "/pool"}, event_id="ev-ws-1")
            assert await gateway.push(agenda) == {"code": 200, "data": None}  # acknowledged, handled on the app's loop
            await rig.adapter.drain()
            rep.catch_up()
            assert "Public pool" in visible(rep.screen[-1].content) and "📍 Near me" in str(rep.screen[-1].content)
            sent = len(rig.fake.messages(REP))
            assert (await gateway.push(agenda))["code"] == 200  # Feishu re-pushes: handled once
            await rig.adapter.drain()
            assert len(rig.fake.messages(REP)) == sent

            shown, near = rep.button("Near me")
            click = card_action(REP, near["value"], message_id=shown.id, chat=REP)
            answer = await gateway.push(click)
            assert answer["code"] == 200 and answer["data"]["card"]["type"] == "raw"
            assert visible(answer["data"]["card"]["data"]) == "✓ 📍 Near me" and not buttons(answer["data"]["card"]["data"])
            await rig.adapter.drain()
            assert "Share your location to see pool customers near you" in visible(rig.fake.messages(REP)[-1]["content"])
            async with rig.container.sessionmaker() as s:
                marks = await s.scalar(select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.source == "feishu"))
            assert marks == 2  # the message once, the click once

            thread = rig.adapter.long_connection.thread if rig.adapter.long_connection else None
            await rig.adapter.stop()
            await asyncio.wait_for(gateway.closed.wait(), 30)
            assert thread is not None and not thread.is_alive()
    finally:
        await gateway.stop()

"""DingTalk through Stream mode, /dingtalk/robot and /dingtalk/events, against a recording fake API."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from bots.base import DeliveryError
from bots.dingtalk.stream import CARD_TOPIC
from conversations.messages import Text
from core.models import ContactRecord, Visit
from tests.support.dingtalk import AES_KEY, SECRET, card_click, dingtalk_rig, robot_message, signed
from tests.support.world import SIP

REP = "staff-rep-01"
ROBOT_TOPIC = "/v1.0/im/bot/messages/get"


def button_id(card: dict, label_part: str) -> str:
    for block in card["contents"]:
        for b in block.get("actions", []):
            if label_part in b["label"]["text"]:
                return str(b["id"])
    raise AssertionError(f"no button {label_part!r} in {json.dumps(card, ensure_ascii=False)[:400]}")


def last_card(rig) -> dict:
    return next(m for m in reversed(rig.fake.sent()) if m["type"] == "card")


def texts(rig) -> str:
    return json.dumps(rig.fake.sent(), ensure_ascii=False)


async def test_a_whole_check_in_over_stream_with_the_signed_page_and_card_buttons(clean_db, world):
    async with dingtalk_rig(clean_db, dingtalk_stream=True) as rig:
        await rig.bind("rep", REP)
        await rig.adapter.start()
        ack = await rig.fake.push(ROBOT_TOPIC, robot_message(REP, "/checkin"), "frame-1")
        assert ack["code"] == 200 and ack["headers"]["messageId"] == "frame-1"
        assert {"type": "CALLBACK", "topic": CARD_TOPIC} in rig.fake.subscriptions
        await rig.adapter.drain()
        ask = rig.fake.sent()[-1]
        assert ask["to"] == REP and ask["type"] == "sampleActionCard"
        page = urlsplit(ask["param"]["singleURL"]).path
        assert page.startswith("/p/loc/")

        answer = await rig.client.post(page, json={"lat": SIP[0] + 0.0009, "lon": SIP[1], "accuracy_m": 12})
        assert answer.json()["delivered"] is True
        picker = last_card(rig)
        assert picker["to"] == REP and "苏州恒力" in json.dumps(picker["card"], ensure_ascii=False)

        await rig.fake.push(CARD_TOPIC, card_click(REP, picker["id"], button_id(picker["card"], "苏州恒力")), "frame-2")
        await rig.adapter.drain()
        receipt = last_card(rig)
        assert "已签到" in receipt["card"]["header"]["title"]["text"]  # a DingTalk user starts in Chinese
        async with rig.container.sessionmaker() as s:
            visit = (await s.scalars(select(Visit))).one()
        assert 95 < visit.distance_m < 105 and visit.inside_fence and visit.datum == "wgs84"

        await rig.fake.push(CARD_TOPIC, card_click(REP, receipt["id"], button_id(receipt["card"], "签退")), "frame-3")
        await rig.adapter.drain()
        assert "(1/3)" in texts(rig)  # no native forms: asked one field at a time
        await rig.fake.push(ROBOT_TOPIC, robot_message(REP, "介绍X100离心泵"), "frame-4")
        await rig.adapter.drain()
        for frame in ("frame-5", "frame-6"):
            step = last_card(rig)
            await rig.fake.push(CARD_TOPIC, card_click(REP, step["id"], button_id(step["card"], "跳过")), frame)
            await rig.adapter.drain()
        assert "已签退" in rig.fake.sent()[-1]["param"]["content"]
        async with rig.container.sessionmaker() as s:
            assert (await s.scalars(select(ContactRecord))).one().summary == "介绍X100离心泵"
        again = await rig.fake.push(CARD_TOPIC, card_click(REP, step["id"], button_id(step["card"], "跳过")), "frame-6")
        assert again["code"] == 200  # a redelivered frame is acknowledged, not handled twice
        await rig.adapter.drain()
        assert "已签退" in rig.fake.sent()[-1]["param"]["content"]


async def test_a_card_about_the_same_record_is_updated_in_place(clean_db, world):
    async with dingtalk_rig(clean_db) as rig:
        await rig.bind("rep", REP)
        await rig.robot(robot_message(REP, "/c 恒力"))
        card = last_card(rig)
        ref = card["id"].split("|")[2]
        assert ref  # the 360 card names its record, so a later answer about it can replace it
        sent = len(rig.fake.sent())
        decided_id = card["id"]
        await rig.adapter.edit(f"u:{REP}", decided_id, [Text("Decided: approved")])
        assert rig.fake.updates()[-1][0] == decided_id and "Decided" in json.dumps(rig.fake.updates()[-1][1])
        assert len(rig.fake.sent()) == sent
        with pytest.raises(DeliveryError):
            await rig.adapter.edit(f"u:{REP}", "pq12", [Text("not a card")])


async def test_robot_callback_signature_window_and_msgid(clean_db, world, caplog):
    caplog.set_level(logging.DEBUG)
    async with dingtalk_rig(clean_db) as rig:
        await rig.bind("rep", REP)
        body = robot_message(REP, "/agenda", msg_id="msgSAME")
        hour_ago = int(time.time() * 1000) - 3_700_000
        refused = [
            await rig.robot(body, {**signed(), "sign": "AAAA"}),
            await rig.robot(body, signed(at_ms=hour_ago)),
            await rig.robot(body, signed(secret="not-the-secret")),
            await rig.robot(body, {"content-type": "application/json"}),
        ]
        assert [r.status_code for r in refused] == [401, 401, 401, 401]
        assert rig.fake.calls == []
        assert (await rig.robot(body)).status_code == 200
        first = len(rig.fake.sent())
        assert first >= 1 and rig.fake.sent()[0]["to"] == REP
        assert (await rig.robot(body)).status_code == 200  # redelivered msgId
        assert len(rig.fake.sent()) == first
        junk = await rig.client.post("/dingtalk/robot", content=b"[1,2]", headers=signed())
        assert junk.status_code == 400
        group = await rig.robot(robot_message(REP, None, group="cidGROUP==", msgtype="audio", content={"duration": 3}))
        assert group.status_code == 200 and rig.fake.sent()[-1]["to"] == "cidGROUP=="
        assert "图片" in rig.fake.sent()[-1]["param"]["content"]
    assert SECRET not in caplog.text


async def test_encrypted_event_callbacks(clean_db, world):
    async with dingtalk_rig(clean_db) as rig:
        crypto = rig.events
        ts, nonce = str(int(time.time() * 1000)), "n0nce"
        encrypted = crypto.encrypt(b'{"EventType":"check_url"}')
        query = f"msg_signature={crypto.signature(ts, nonce, encrypted)}&timestamp={ts}&nonce={nonce}"
        ok = await rig.client.post(f"/dingtalk/events?{query}", json={"encrypt": encrypted})
        assert ok.status_code == 200
        answer = ok.json()
        plain = crypto.decrypt(signature=answer["msg_signature"], timestamp=answer["timeStamp"], nonce=answer["nonce"], encrypted=answer["encrypt"])
        assert plain == b"success"
        unknown = crypto.encrypt(b'{"EventType":"bpms_task_change","processInstanceId":"x"}')
        query2 = f"signature={crypto.signature(ts, nonce, unknown)}&timestamp={ts}&nonce={nonce}"
        assert (await rig.client.post(f"/dingtalk/events?{query2}", json={"encrypt": unknown})).status_code == 200
        bad = [
            await rig.client.post(f"/dingtalk/events?{query}&x=1".replace(ts, str(int(ts) + 1), 1), json={"encrypt": encrypted}),
            await rig.client.post(f"/dingtalk/events?{query}", json={"encrypt": encrypted[:-4] + "AAA="}),
            await rig.client.post(f"/dingtalk/events?{query}", json={"nothing": 1}),
            await rig.client.post(f"/dingtalk/events?{query}", content=b"not json"),
        ]
        assert [r.status_code for r in bad] == [401, 401, 400, 400]
        stale_ts = str(int(time.time() * 1000) - 4_000_000)
        stale = f"msg_signature={crypto.signature(stale_ts, nonce, encrypted)}&timestamp={stale_ts}&nonce={nonce}"
        assert (await rig.client.post(f"/dingtalk/events?{stale}", json={"encrypt": encrypted})).status_code == 401
        assert rig.fake.calls == []
    async with dingtalk_rig(clean_db, dingtalk_token=None, dingtalk_aes_key=None) as rig:
        assert (await rig.client.post("/dingtalk/events", json={"encrypt": "x"})).status_code == 404
    assert len(AES_KEY) == 43


async def test_budget_twenty_a_minute_per_chat_and_token_refresh(clean_db, world):
    async with dingtalk_rig(clean_db) as rig:
        for n in range(20):
            await rig.adapter.send("g:cidGROUP==", [Text(f"n{n}")])
        with pytest.raises(DeliveryError) as spent:
            await rig.adapter.send("g:cidGROUP==", [Text("21st")])
        assert spent.value.retry_after is not None and 55 < spent.value.retry_after <= 61
        times = [m["at"] for m in rig.fake.sent() if m["to"] == "cidGROUP=="]
        assert len(times) == 20 and max(times) - min(times) < 60
        rig.fake.expire_tokens()
        await rig.adapter.send(f"u:{REP}", [Text("after a token reset")])
        assert rig.fake.tokens_issued == ["d-1", "d-2"]
        async with rig.container.sessionmaker() as s:
            assert int(await s.scalar(select(func.count()).select_from(Visit))) == 0


async def test_an_answer_waits_for_the_chats_budget_rather_than_being_dropped(clean_db, world):
    async with dingtalk_rig(clean_db) as rig:
        await rig.bind("rep", REP)
        for n in range(20):
            await rig.adapter.send(f"u:{REP}", [Text(f"⏰ {n}")])  # notifications spent the minute
        await rig.robot(robot_message(REP, "/agenda"))
        assert rig.clock.slept and 55 < rig.clock.slept[0] <= 61  # waited for a free slot
        assert "今天" in json.dumps(rig.fake.sent()[-1], ensure_ascii=False)  # the agenda, sent after the wait

"""Feishu through /feishu/events: sealed, real-shaped events in; calls to a recording fake API out."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from bots.base import DeliveryError
from conversations.messages import Text
from core.datum import wgs84_to_gcj02
from core.models import ContactRecord, Visit
from tests.support.feishu import KEY, TOKEN, card_action, feishu_rig, header, message, seal
from tests.support.world import SIP

REP = "ou_rep0001"


def card_texts(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


def button(card: dict, label_part: str) -> dict:
    for element in card.get("elements", []):
        for b in element.get("actions", []) + element.get("elements", []):
            if label_part in b.get("text", {}).get("content", ""):
                return b
    raise AssertionError(f"no button {label_part!r} in {card_texts(card)[:500]}")


async def visits(container) -> int:
    async with container.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(Visit)))


async def test_url_verification_plain_and_encrypted(clean_db, world):
    challenge = {"challenge": "ajls384kdjx98XX", "token": TOKEN, "type": "url_verification"}
    async with feishu_rig(clean_db) as rig:
        answer = await rig.post(challenge, sign=False)  # Feishu sends the handshake encrypted, unsigned
        assert answer.status_code == 200 and answer.json() == {"challenge": "ajls384kdjx98XX"}
        wrong = await rig.post({**challenge, "token": "guess"}, sign=False)
        assert wrong.status_code == 403
    async with feishu_rig(clean_db, feishu_encrypt_key=None) as rig:
        plain = await rig.client.post("/feishu/events", json=challenge)
        assert plain.json() == {"challenge": "ajls384kdjx98XX"}
        assert (await rig.client.post("/feishu/events", json={**challenge, "token": ""})).status_code == 403


async def test_bad_requests_are_refused_and_nothing_is_processed(clean_db, world, caplog):
    caplog.set_level(logging.DEBUG)
    async with feishu_rig(clean_db) as rig:
        await rig.bind("rep", REP)
        event = message(REP, "text", {"text": "/checkin"})
        raw, headers = seal(event)
        cases = {
            "wrong signature": (raw, {**headers, "x-lark-signature": "0" * 64}),
            "stale timestamp": seal(event, at=1_600_000_000),
            "re-serialised body": (json.dumps(json.loads(raw), indent=1).encode(), headers),
            "no signature": seal(event, sign=False),
            "plain body": (json.dumps(event).encode(), {"content-type": "application/json"}),
            "another key": seal(event, key="not-the-key"),
        }
        for name, (body, hdrs) in cases.items():
            response = await rig.client.post("/feishu/events", content=body, headers=hdrs)
            assert response.status_code == 401, name
        tampered = json.loads(raw)
        tampered["encrypt"] = tampered["encrypt"][:-8] + ("A" * 6 + "==")
        body = json.dumps(tampered).encode()
        ts, nonce = headers["x-lark-request-timestamp"], headers["x-lark-request-nonce"]
        from bots.feishu.crypto import signature

        tampered_headers = {**headers, "x-lark-signature": signature(ts, nonce, KEY, body)}
        assert (await rig.client.post("/feishu/events", content=body, headers=tampered_headers)).status_code == 401
        wrong_token = message(REP, "text", {"text": "/checkin"}, token="other-app")
        assert (await rig.post(wrong_token)).status_code == 403
        assert (await rig.client.post("/feishu/events", content=b"\xff{", headers=headers)).status_code in (400, 401)
        await rig.adapter.drain()
        assert rig.fake.calls == [] and await visits(rig.container) == 0
    assert KEY not in caplog.text and TOKEN not in caplog.text and "feishu-secret" not in caplog.text


async def test_unknown_events_are_acknowledged_and_ignored(clean_db, world):
    async with feishu_rig(clean_db) as rig:
        for payload in (
            {"schema": "2.0", "header": header("contact.user.updated_v3"), "event": {"object": {}}},
            {"schema": "2.0", "header": header("im.message.message_read_v1"), "event": {}},
            message(REP, "sticker", {"file_key": "x"}, chat_type="group", chat="oc_g1") | {"header": header("im.chat.updated_v1")},
        ):
            response = await rig.event(payload)
            assert response.status_code == 200 and response.json() == {}
        assert rig.fake.calls == []


async def test_a_whole_check_in_with_a_gcj02_location_and_card_buttons(clean_db, world):
    async with feishu_rig(clean_db) as rig:
        await rig.bind("rep", REP)
        lat, lon = wgs84_to_gcj02(SIP[0] + 0.0009, SIP[1])  # ~100 m north, as Feishu reports it in China
        location = {"name": "星湖街", "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}"}
        assert (await rig.event(message(REP, "location", location))).status_code == 200
        picker = rig.fake.sent()[-1]
        assert picker["to"] == REP and picker["type"] == "interactive" and "苏州恒力" in card_texts(picker["content"])

        pick = button(picker["content"], "苏州恒力")
        answer = await rig.post(card_action(REP, pick["value"]))
        await rig.adapter.drain()
        assert answer.status_code == 200
        collapsed = answer.json()["card"]["data"]["elements"][0]["text"]["content"]
        assert collapsed.startswith("✓ ") and "苏州恒力" in collapsed and "action" not in card_texts(answer.json()["card"])
        receipt = rig.fake.sent()[-2]["content"]
        assert "Checked in" in receipt["header"]["title"]["content"] and "inside" in card_texts(receipt)
        async with rig.container.sessionmaker() as s:
            visit = (await s.scalars(select(Visit))).one()
        assert 95 < visit.distance_m < 105 and visit.inside_fence and visit.datum == "gcj02"

        await rig.event(message(REP, "image", {"image_key": "img_v3_0abc"}))
        assert "1 so far" in card_texts(rig.fake.sent()[-1]["content"])

        out = button(receipt, "Check out")
        assert (await rig.post(card_action(REP, out["value"]))).json().get("card") is None  # the receipt stays
        await rig.adapter.drain()
        form = rig.fake.sent()[-1]["content"]
        submit = button(form, "Check out")
        bad = await rig.post(card_action(REP, submit["value"], form={"summary": "", "next_contact": "2026-01-01 +0800"}))
        assert "form" in card_texts(bad.json()["card"]["data"]) and "⚠️" in card_texts(bad.json()["card"]["data"])
        values = {"summary": "介绍X100离心泵", "next_step": "下周报价", "next_contact": None}
        done = await rig.post(card_action(REP, submit["value"], form=values))
        await rig.adapter.drain()
        assert "Submitted" in card_texts(done.json()["card"])
        assert "Checked out" in rig.fake.sent()[-1]["content"]["text"]
        async with rig.container.sessionmaker() as s:
            visit = (await s.scalars(select(Visit))).one()
            record = (await s.scalars(select(ContactRecord))).one()
        assert visit.photo_refs == ["feishu:om_in" + visit.photo_refs[0].split(":om_in")[1]] and visit.checked_out_at
        assert record.summary == "介绍X100离心泵"


async def test_a_redelivered_event_is_handled_once(clean_db, world):
    async with feishu_rig(clean_db) as rig:
        await rig.bind("rep", REP)
        event = message(REP, "text", {"text": "/agenda"}, event_id="ev-same")
        await rig.event(event)
        await rig.event(event)
        assert len(rig.fake.sent()) >= 1
        first = len(rig.fake.sent())
        await rig.event(message(REP, "text", {"text": "/agenda"}, event_id="ev-same"))
        assert len(rig.fake.sent()) == first


async def test_unbound_users_are_asked_to_bind_and_the_menu_starts_flows(clean_db, world):
    async with feishu_rig(clean_db) as rig:
        await rig.event(message("ou_stranger", "text", {"text": "@_user_1 你好"}, chat_type="group", chat="oc_g1"))
        sent = rig.fake.sent()
        assert {m["to"] for m in sent} == {"oc_g1"} and "code" in card_texts([m["content"] for m in sent]).lower()
        await rig.bind("rep", REP)
        menu = {"schema": "2.0", "header": header("application.bot.menu_v6"),
                "event": {"operator": {"operator_id": {"open_id": REP}}, "event_key": "checkin", "timestamp": 1}}
        await rig.event(menu)
        ask = rig.fake.sent()[-1]
        assert ask["to"] == REP and "/p/loc/" in card_texts(ask["content"])


async def test_an_invalid_token_is_fetched_again_once(clean_db, world):
    async with feishu_rig(clean_db) as rig:
        await rig.adapter.send(REP, [Text("one")])
        rig.fake.expire_tokens()
        await rig.adapter.send(REP, [Text("two")])
        assert rig.fake.tokens_issued == ["t-1", "t-2"]
        assert [c.token for c in rig.fake.to("/open-apis/im/v1/messages")] == ["t-1", "t-2"]


async def test_budget_five_a_second_per_chat_on_the_fakes_clock(clean_db, world):
    async with feishu_rig(clean_db) as rig:
        for n in range(5):
            await rig.adapter.send("oc_g1", [Text(f"n{n}")])
        with pytest.raises(DeliveryError) as spent:
            await rig.adapter.send("oc_g1", [Text("sixth")])
        assert spent.value.retry_after is not None and 0 < spent.value.retry_after <= 1.1
        await rig.adapter.send("oc_g2", [Text("another chat is not held up")])
        await rig.adapter._deliver("oc_g3", [Text(f"r{n}") for n in range(8)], "en")  # a turn's replies wait instead
        times = sorted(m["at"] for m in rig.fake.sent() if m["to"] == "oc_g3")
        assert len(times) == 8
        # Six messages never fall inside one second as the fake received them (less loopback jitter).
        assert min(times[i + 5] - times[i] for i in range(len(times) - 5)) >= 0.9
        times = sorted(m["at"] for m in rig.fake.sent() if m["to"] == "oc_g1")
        assert len(times) == 5


async def test_a_form_card_of_an_earlier_dialog_is_refused_not_handed_to_the_open_one(clean_db, world):
    """Feishu keeps old form cards clickable: a check-out form submitted while a visit log is open
    must not be read as the visit log (its submit token names its own dialog run)."""
    from tests.support.feishu_user import FeishuUser, buttons, visible

    async with feishu_rig(clean_db) as rig:
        rep = FeishuUser(rig, REP)
        await rig.bind("rep", REP)
        await rep.locate(*wgs84_to_gcj02(SIP[0] + 0.0009, SIP[1]))
        await rep.tap("苏州恒力")
        await rep.tap("Check out")
        checkout = rep.screen[-1]
        submit = next(b for b in buttons(checkout.content) if b.get("action_type") == "form_submit")
        await rep.say("/visit 恒力")
        assert "Contact record for 苏州恒力机械有限公司" in rep.text
        response = await rig.post(card_action(REP, submit["value"], message_id=checkout.id, chat=REP,
                                              form={"summary": "旧表单", "next_step": "", "next_contact": None}))
        await rig.adapter.drain()
        answer = response.json()
        assert answer["toast"]["content"].startswith("This form has expired")
        assert visible(answer["card"]["data"]).startswith("⚠️ This form has expired") and not buttons(answer["card"]["data"])
        async with rig.container.sessionmaker() as s:
            assert (await s.scalars(select(ContactRecord))).first() is None
            assert (await s.scalars(select(Visit))).one().checked_out_at is None
        await rep.submit(kind="visit", summary="现场演示", next_step="", next_contact=None)  # the open form still works
        assert "Saved for 苏州恒力机械有限公司" in rep.text

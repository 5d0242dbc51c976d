"""Real-shaped, encrypted WeCom callbacks through the real endpoint, against a recording fake API:
URL verification, bad input, de-duplication, menu clicks, unknown types, tokens, the app menu."""

from __future__ import annotations

import logging
import urllib.parse

import pytest
from sqlalchemy import func, select

from bots.wecom import crypto
from core.models import PlatformToken, ProcessedEvent
from tests.integration.wecom_env import WeComRig, make_rig
from tests.support import fake_wecom
from tests.support.fake_wecom import message


@pytest.fixture
async def rig(clean_db):
    rig = await make_rig(clean_db)
    yield rig
    await rig.client.aclose()


def verify_query(
    rig: WeComRig, echo: bytes, *, timestamp: int | None = None, random16: bytes | None = None
) -> dict[str, str]:
    encrypted = crypto.encrypt(echo, crypto.aes_key(fake_wecom.ENCODING_AES_KEY), fake_wecom.CORP_ID, random16)
    ts = str(int(rig.clock()) if timestamp is None else timestamp)
    sig = crypto.signature(fake_wecom.TOKEN, ts, "47744683", encrypted)
    return {"msg_signature": sig, "timestamp": ts, "nonce": "47744683", "echostr": encrypted}


async def test_url_verification_echoes_the_plaintext_verbatim(rig: WeComRig) -> None:
    response = await rig.client.get("/wecom/callback", params=verify_query(rig, b"1288432023552776189"))
    assert response.status_code == 200
    assert response.content == b"1288432023552776189"
    assert response.headers["content-type"].startswith("text/plain")


async def test_url_verification_with_an_unencoded_plus(rig: WeComRig) -> None:
    echo = b"5377937126385712357"
    for n in range(256):  # the random prefix decides the ciphertext: pick one whose base64 has a '+'
        params = verify_query(rig, echo, random16=bytes([n]) * 16)
        if "+" in params["echostr"]:
            break
    assert "+" in params["echostr"], "no ciphertext with a '+' among 256 prefixes"
    raw = "&".join(f"{k}={v}" if k == "echostr" else f"{k}={urllib.parse.quote(v)}" for k, v in params.items())
    response = await rig.client.get(f"/wecom/callback?{raw}")  # '+' decodes to a space; restored
    assert response.status_code == 200 and response.content == echo


async def test_url_verification_refuses_forgeries(rig: WeComRig) -> None:
    good = verify_query(rig, b"123")
    assert (await rig.client.get("/wecom/callback", params={**good, "msg_signature": "0" * 40})).status_code == 403
    stale = verify_query(rig, b"123", timestamp=int(rig.clock()) - 301)
    assert (await rig.client.get("/wecom/callback", params=stale)).status_code == 403
    assert (await rig.client.get("/wecom/callback", params={"echostr": "x"})).status_code == 400


async def count_processed(rig: WeComRig) -> int:
    async with rig.container.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)


async def test_bad_callbacks_are_refused_and_nothing_is_processed(rig: WeComRig, caplog) -> None:
    await rig.bind("rep", "zhangwei")
    plain = message("zhangwei", int(rig.clock()), "text", 101, Content="/menu")
    query, body = fake_wecom.seal(plain, timestamp=int(rig.clock()))
    params = dict(urllib.parse.parse_qsl(query))
    encrypted = body.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    raw = bytearray(crypto.base64.b64decode(encrypted))
    raw[20] ^= 1
    tampered = crypto.base64.b64encode(bytes(raw)).decode()
    key = crypto.aes_key(fake_wecom.ENCODING_AES_KEY)
    forged_pad = crypto._cipher(key).encryptor()
    bad_pad = crypto.base64.b64encode(forged_pad.update(b"x" * 64) + forged_pad.finalize()).decode()

    def resigned(enc: str) -> tuple[str, str]:
        sig = crypto.signature(fake_wecom.TOKEN, params["timestamp"], params["nonce"], enc)
        q = urllib.parse.urlencode({**params, "msg_signature": sig})
        return q, body.replace(encrypted, enc)

    with caplog.at_level(logging.DEBUG):
        cases = {
            "wrong signature": (urllib.parse.urlencode({**params, "msg_signature": "f" * 40}), body),
            "re-serialised body": (query, body.replace(encrypted, encrypted[:-4] + "AAA=")),
            "tampered ciphertext": resigned(tampered),
            "bad padding": resigned(bad_pad),
        }
        for name, (q, b) in cases.items():
            response = await rig.client.post(f"/wecom/callback?{q}", content=b)
            assert response.status_code == 403, name
        stale = await rig.post(plain, at=int(rig.clock()) - 600)
        other_corp = await rig.post(plain, corp_id="ww0000000000000000")
        assert stale.status_code == 403 and other_corp.status_code == 403
        for q, b in ((query, "not xml"), (query, "<!DOCTYPE x [<!ENTITY a 'b'>]><xml/>"), ("", body)):
            assert (await rig.client.post(f"/wecom/callback?{q}", content=b)).status_code == 400
    assert rig.fake.calls == [] and await count_processed(rig) == 0
    logged = caplog.text
    for secret in (fake_wecom.TOKEN, fake_wecom.ENCODING_AES_KEY, fake_wecom.SECRET, encrypted[:40], "/menu"):
        assert secret not in logged


async def test_text_command_answered_through_message_send(rig: WeComRig) -> None:
    await rig.bind("rep", "zhangwei")
    response = await rig.say("zhangwei", "/menu", 1001)
    assert response.status_code == 200 and response.text == ""
    assert [c.path for c in rig.fake.calls] == ["gettoken", "message/send", "message/send", "message/send"]
    first, *menu = rig.fake.sent()
    assert first["touser"] == "zhangwei" and first["agentid"] == fake_wecom.AGENT_ID and first["msgtype"] == "text"
    cards = [m["template_card"] for m in menu]
    assert all(c["card_type"] == "button_interaction" for c in cards)
    buttons = [b for c in cards for b in c["button_list"]]
    assert all(len(b["key"].encode()) <= 64 for b in buttons)
    assert [len(c["button_list"]) for c in cards] == [6, 5]  # a rep's eleven actions, paged by six
    assert [b["text"] for b in buttons][-3:] == ["📦 渠道库存", "🔔 通知设置", "🌐 语言"]
    assert rig.fake.calls[1].params["access_token"] == "at-1"


async def test_a_redelivered_message_is_processed_once(rig: WeComRig) -> None:
    await rig.bind("rep", "zhangwei")
    plain = message("zhangwei", int(rig.clock()), "text", 2002, Content="/agenda")
    first = await rig.post(plain)
    rig.clock.at += 5  # WeCom retries after 5 s, with a new timestamp and signature
    again = await rig.post(plain)
    assert first.status_code == again.status_code == 200
    assert len(rig.fake.sent()) == len([c for c in rig.fake.calls if c.path == "message/send"]) > 0
    sends = len(rig.fake.sent())
    rig.fake.clear()
    await rig.post(plain)
    assert rig.fake.sent() == [] and sends > 0


async def test_menu_click_runs_the_command(rig: WeComRig) -> None:
    await rig.bind("rep", "zhangwei")
    await rig.post(fake_wecom.event("zhangwei", int(rig.clock()), "click", EventKey="agenda"))
    assert rig.fake.sent(), "the agenda should be answered"
    assert "📅 今天" in rig.texts() and "苏州恒力机械有限公司" in rig.texts()


async def test_unbound_member_gets_the_binding_prompt(rig: WeComRig) -> None:
    await rig.say("stranger", "你好", 3003)
    assert "绑定" in rig.texts()


@pytest.mark.parametrize(
    "plain",
    [
        message("zhangwei", 1_900_000_000, "voice", 4004, MediaId="v1", Format="amr"),
        message("zhangwei", 1_900_000_000, "video", 4005, MediaId="v2"),
        fake_wecom.event("zhangwei", 1_900_000_000, "enter_agent", EventKey=""),
        fake_wecom.event("zhangwei", 1_900_000_000, "subscribe"),
        message("zhangwei", 1_900_000_000, "text", 4006, Content="   "),
    ],
)
async def test_unknown_types_are_acknowledged_and_ignored(rig: WeComRig, plain: str) -> None:
    await rig.bind("rep", "zhangwei")
    response = await rig.post(plain)
    assert response.status_code == 200
    assert rig.fake.sent() == []


async def test_expired_token_is_refetched_once_and_the_send_retried(rig: WeComRig) -> None:
    await rig.bind("rep", "zhangwei")
    await rig.say("zhangwei", "/lang", 5005)
    assert rig.fake.tokens_issued == 1
    rig.fake.reject_tokens.add("at-1")  # WeCom says 42001 from now on for the cached token
    rig.fake.clear()
    await rig.say("zhangwei", "/menu", 5006)
    paths = [c.path for c in rig.fake.calls]
    assert paths[:3] == ["message/send", "gettoken", "message/send"]
    assert rig.fake.calls[2].params["access_token"] == "at-2"
    async with rig.container.sessionmaker() as s:
        row = await s.get_one(PlatformToken, f"wecom:{fake_wecom.CORP_ID}:{fake_wecom.AGENT_ID}")
    assert row.value == "at-2"


async def test_app_menu_is_created_on_start(rig: WeComRig) -> None:
    await rig.adapter.create_menu()
    (call,) = rig.fake.of("menu/create")
    assert call.params["agentid"] == str(fake_wecom.AGENT_ID)
    buttons = call.body["button"]
    assert buttons[0] == {"type": "location_select", "name": "📍 签到", "key": "checkin"}
    assert {b["key"] for b in buttons[1]["sub_button"]} >= {"c", "lead", "visit", "agenda"}


async def test_secrets_and_tokens_stay_out_of_the_logs(rig: WeComRig, caplog) -> None:
    await rig.bind("rep", "zhangwei")
    with caplog.at_level(logging.DEBUG):
        await rig.say("zhangwei", "/menu", 6006)
    assert rig.fake.sent()
    assert "gettoken" in caplog.text or "message/send" in caplog.text  # httpx did log the calls …
    for secret in (fake_wecom.SECRET, "access_token=at-1", fake_wecom.TOKEN, fake_wecom.ENCODING_AES_KEY):
        assert secret not in caplog.text  # … without the secret or the token


async def test_an_oversized_body_is_refused_unread(rig: WeComRig) -> None:
    query, _ = fake_wecom.seal("<xml/>", timestamp=int(rig.clock()))
    response = await rig.client.post(f"/wecom/callback?{query}", content=b"<xml>" + b"a" * 300_000 + b"</xml>")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("msg_signature=%E4%BD%A0&timestamp=1900000000&nonce=1", "<xml><Encrypt>abc</Encrypt></xml>"),
        ("msg_signature=a&timestamp=99999999999999999999999&nonce=1", "<xml><Encrypt>abc</Encrypt></xml>"),
        ("msg_signature=a&timestamp=-5&nonce=1", "<xml><Encrypt>abc</Encrypt></xml>"),
        ("msg_signature=a&timestamp=1900000000&nonce=1", b"\xff\xfe<xml>\x00</xml>"),
        ("msg_signature=a&timestamp=1900000000&nonce=1", "<xml><Encrypt><Encrypt>x</Encrypt></Encrypt></xml>"),
        ("msg_signature=a&timestamp=1900000000&nonce=1", ""),
        ("msg_signature=a&msg_signature=b&timestamp=1900000000&nonce=1", "<xml><Encrypt>==</Encrypt></xml>"),
    ],
)
async def test_odd_requests_get_4xx_never_5xx(rig: WeComRig, query: str, body: str | bytes) -> None:
    response = await rig.client.post(f"/wecom/callback?{query}", content=body)
    assert 400 <= response.status_code < 500
    response = await rig.client.get(f"/wecom/callback?{query}&echostr=%FF%FE")
    assert 400 <= response.status_code < 500
    assert rig.fake.calls == []

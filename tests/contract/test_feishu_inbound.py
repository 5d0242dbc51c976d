"""Feishu event JSON → the neutral turn (pure): the user's language, card forms naming their
dialog run, rich-text posts line by line, and commands however they are spaced."""

from __future__ import annotations

import json

from bots.feishu.inbound import (
    client_locale,
    parse_card_action,
    parse_message,
    platform_locale,
    post_text,
    text_event,
)
from conversations.inbound import ActionEvent, CommandEvent, FormEvent, TextEvent

DESKTOP_UA = (  # as a real im.message.receive_v1 event carries it (macOS client, Chinese interface)
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1_1) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0.6167.86 Safari/537.36 Lark/7.27.8 LarkLocale/zh_CN ttnet SDK-Version/7.27.8"
)


def test_the_client_language_comes_from_the_user_agent():
    assert client_locale(DESKTOP_UA) == "zh-CN"
    assert client_locale("Mozilla/5.0 (iPhone) Lark/7.30.5 LarkLocale/en_US") == "en"
    assert client_locale("Mozilla/5.0 (iPhone) Lark/7.30.5 LarkLocale/ja_JP") is None  # not one of ours
    assert client_locale("Mozilla/5.0 Chrome/121") is None and client_locale("") is None


def test_without_a_client_language_the_edition_decides():
    assert platform_locale("https://open.feishu.cn") == "zh-CN"
    assert platform_locale("https://open.larksuite.com/") == "en"
    assert platform_locale("http://127.0.0.1:8123") is None  # a proxy or a test double says nothing
    assert platform_locale("https://open.feishu.cn.example.com") is None


def _message(**extra: object) -> dict:
    message = {"message_id": "om_1", "chat_id": "oc_1", "chat_type": "p2p", "message_type": "text",
               "content": json.dumps({"text": "/agenda"}), **extra}
    return {"sender": {"sender_id": {"open_id": "ou_1"}, "sender_type": "user"}, "message": message}


def test_a_message_carries_its_senders_language_when_feishu_sends_the_user_agent():
    assert parse_message(_message(user_agent=DESKTOP_UA), "t1").locale_hint == "zh-CN"
    found = parse_message(_message(), "t1")  # the app lacks the user-agent permission
    assert found is not None and found.locale_hint is None and found.event == CommandEvent("agenda")


def test_a_click_carries_the_language_its_card_was_shown_in_and_a_form_its_submit_token():
    value = {"t": "ci.k3Fq9a.submit.Ab12Cd", "c": "ou_1", "g": "zh-CN"}
    event = {"operator": {"open_id": "ou_1"}, "action": {"value": value, "tag": "button"},
             "context": {"open_message_id": "om_7", "open_chat_id": "oc_1"}}
    click = parse_card_action(event, "t1")
    assert click is not None and click.inbound.locale_hint == "zh-CN" and click.inbound.event == ActionEvent(value["t"])
    event["action"] = {"value": value, "tag": "button", "name": "submit", "form_value": {"summary": "介绍X100", "next_contact": "2026-12-01 +0800"}}
    click = parse_card_action(event, "t1")
    assert click is not None and click.inbound.event == FormEvent({"summary": "介绍X100", "next_contact": "2026-12-01"}, token=value["t"])


def test_a_post_is_read_line_by_line_and_a_command_may_end_its_line():
    post = {"title": "", "content": [
        [{"tag": "text", "text": "X100 ", "style": ["bold"]}, {"tag": "text", "text": "9台"}],
        [{"tag": "img", "image_key": "img_v3_1"}],
        [{"tag": "text", "text": "B200 4台"}],
    ]}
    assert post_text(post) == "X100 9台\nB200 4台"
    assert post_text({"zh_cn": {"title": "库存", "content": post["content"]}}) == "库存\nX100 9台\nB200 4台"
    assert text_event("/lead\n王经理 13812345678") == CommandEvent("lead", "王经理 13812345678")
    assert text_event("@_user_1 /c 恒力") == CommandEvent("c", "恒力") and text_event("你好") == TextEvent("你好")

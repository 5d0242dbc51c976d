"""Every neutral reply → a DingTalk robot message or StandardCard, against golden JSON.

FIELDCHAT_UPDATE_GOLDEN=1 rewrites the golden files; review them before committing.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bots.dingtalk import render
from conversations.messages import Action, AskLocation, Card, Choices, Field, Form, FormField, Media, Text
from tests.support.golden import NEARBY, check_golden

GOLDEN = Path(__file__).parent / "golden" / "dingtalk"


def golden(name: str, data: Any) -> None:
    check_golden(GOLDEN, name, data)


def message(reply: Any, locale: str = "en") -> dict[str, Any]:
    out = asdict(render.render(reply, locale))
    out.pop("media")
    return out


def test_text_is_sample_text():
    golden("text", message(Text("Tom & Jerry **not bold**")))


def test_choices_are_a_standard_card_whose_button_ids_are_tokens():
    reply = NEARBY
    data = message(reply)
    golden("choices", data)
    buttons = data["card"]["contents"][-1]["actions"]
    assert [b["actionType"] for b in buttons] == ["request", "request", "openLink"]
    assert buttons[0]["id"] == "ci.k3Fq9a.p1.Xy12Za"


def test_card_with_buttons_keeps_its_ref_and_escapes_markdown():
    reply = Card(
        "Quote Q-7 waits for you",
        (Field("Customer", "苏州恒力机械有限公司"), Field("Total", "¥120,000"), Field("Note", "**urgent** [x](http://e)")),
        (Action("Approve", token="qa.-.ok7.Aa11Bb", style="primary"), Action("Reject", token="qa.-.no7.Cc22Dd", style="danger")),
        ref="quote:7",
    )
    data = message(reply)
    golden("card", data)
    assert data["ref"] == "quote:7"
    assert "**urgent**" not in json.dumps(data, ensure_ascii=False)


def test_card_without_buttons_is_markdown():
    golden("card_markdown", message(Card("Checked out", (Field("Next contact", "2031-05-06"),), subtitle="C-0001")))


def test_form_outside_a_dialog_lists_its_fields():
    form = Form("New lead", (FormField("company_name", "Company"), FormField("phone", "Phone", required=False)), Action("Save", token="ld.a.s.b"))
    golden("form", message(form, "zh-CN"))


def test_ask_location_is_an_action_card_opening_the_signed_page():
    golden("ask_location", message(AskLocation("Send your location to check in.", "https://fc.example.com/p/loc/abc.def")))
    golden("ask_location_zh_no_page", message(AskLocation("请发送位置签到。"), "zh-CN"))


def test_a_decided_card_has_no_buttons_and_media_becomes_an_upload():
    decided = render.as_card(Card("Quote Q-7 approved", (Field("Total", "¥120,000"),), (), ref="quote:7"), "en")
    golden("decided", decided)
    assert all(c["type"] != "action" for c in decided["contents"])
    key, param = render.media_param(Media("file", "visits.xlsx", "application/vnd.ms-excel", b"x"), "@media1")
    assert (key, param["fileType"]) == ("sampleFile", "xlsx")


def test_a_question_that_fits_the_header_is_not_repeated_below_it():
    short = message(Choices("要做什么？", (Action("📍 签到", token="x.-.go:checkin.Ab12Cd"),)), "zh-CN")
    assert short["card"]["header"]["title"]["text"] == "要做什么？"
    assert [c["type"] for c in short["card"]["contents"]] == ["action"]
    prompt = "请用一条消息发送线索，例如“王经理 13812345678 苏州恒力机械 需要10台水泵”，或填写表单。\n也可以取消。"
    long = message(Choices(prompt, (Action("📋 填写表单", token="ld.a.form.b"),)), "zh-CN")
    golden("choices_long_zh", long)
    assert long["card"]["contents"][0]["text"].startswith("请用一条消息发送线索")  # the whole question, under a cut header


def test_markup_only_where_it_would_start_and_brackets_read_as_typed():
    reply = Card(
        "🧾 渠道返利 2026 · 2026Q3",
        (Field("返利阶梯", "> ¥1,000,000.00 → 2 %\n> ¥3,000,000.00 → 3 %"), Field("经销商", "苏州联众 (贸易-华东-001) #1 a_b [x]")),
        (Action("💰 申请返利 ¥24,000.00", token="rb.-.c1:2026Q3.Xy12Za"),),
        ref="rebate:1:2026Q3",
    )
    data = message(reply, "zh-CN")
    golden("card_markup_zh", data)
    lines = [c["text"] for c in data["card"]["contents"] if c["type"] == "markdown"]
    assert lines[0] == "**返利阶梯**：\\> ¥1,000,000.00 → 2 %  \n\\> ¥3,000,000.00 → 3 %"  # no quote blocks
    assert lines[1] == "**经销商**：苏州联众 (贸易-华东-001) #1 a\\_b \\[x\\]"


def test_a_location_request_opens_the_page_in_chinese_for_any_purpose():
    data = message(AskLocation("请发送位置，查看附近的公海客户。", "https://fc.example.com/p/loc/abc.def"), "zh-CN")
    golden("ask_location_zh", data)
    assert data["param"]["singleTitle"] == "📍 打开定位页面" and "签到" not in data["param"]["text"]


def test_a_decided_card_keeps_its_fields_as_they_were_shown():
    card = Card("Approval · Q-7", (Field("Decision", "✅ Approved by Wang Qiang"),), (), subtitle="Step 1 of 1 · manager", ref="approval:7")
    decided = render.as_card(card, "en")
    assert decided["header"]["title"]["text"] == "Approval · Q-7"
    assert [c["text"] for c in decided["contents"]] == ["Step 1 of 1 · manager", "**Decision**: ✅ Approved by Wang Qiang"]

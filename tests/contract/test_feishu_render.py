"""Every neutral reply → a Feishu message (interactive card JSON 1.0, text, image), against golden JSON.

FIELDCHAT_UPDATE_GOLDEN=1 rewrites the golden files; review them before committing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bots.feishu import render
from conversations.messages import Action, AskLocation, Card, Field, Form, Media, Text
from tests.support.golden import LEAD_FORM, NEARBY, check_golden

GOLDEN = Path(__file__).parent / "golden" / "feishu"
CHAT = "ou_7d8a6e6df7621556ce0d21922b676706"


def golden(name: str, data: Any) -> None:
    check_golden(GOLDEN, name, data)


def message(reply: Any, locale: str = "en") -> dict[str, Any]:
    out = render.render(reply, locale, CHAT)
    return {"msg_type": out.msg_type, "content": out.content}


def test_text_is_a_text_message():
    golden("text", message(Text("Tom & Jerry <b>*not bold*</b>")))


def test_choices_are_a_card_of_buttons_carrying_token_chat_and_label():
    reply = NEARBY
    data = message(reply)
    golden("choices", data)
    values = [b.get("value") for b in data["content"]["elements"][1]["actions"]]
    assert values[0] == {"t": "ci.k3Fq9a.p1.Xy12Za", "c": CHAT, "g": "en", "l": "苏州恒力机械 · 95 m"}
    assert values[2] is None


def test_card_has_header_fields_and_record_buttons_with_data_escaped():
    reply = Card(
        "Checked in at 苏州恒力机械有限公司",
        (Field("Distance", "95 m"), Field("Verdict", "inside the 300 m fence"), Field("Note", "*bold* [link](http://x) <at id=all>")),
        (Action("Check out", token="ci.-.out12.Zz99Yy", style="primary"), Action("360", url="https://crm.example.com/c/1")),
        subtitle="C-0001",
        ref="visit:12",
    )
    data = message(reply)
    golden("card", data)
    note = data["content"]["elements"][0]["fields"][2]["text"]["content"]
    assert "*bold*" not in note and "[link]" not in note and "<at" not in note
    assert data["content"]["elements"][1]["actions"][0]["value"]["r"] == "visit:12"


def test_form_is_a_card_form_with_inputs_select_and_date_picker():
    golden("form", message(LEAD_FORM))


def test_form_with_errors_in_chinese():
    errors = (("company_name", "必填"), ("next_contact", "“someday” 不是日期"))
    golden("form_errors_zh", message(Form(LEAD_FORM.title, LEAD_FORM.fields, LEAD_FORM.submit, errors), "zh-CN"))


def test_ask_location_hints_at_native_location_and_links_the_page():
    golden("ask_location", message(AskLocation("Send your location to check in.", "https://fc.example.com/p/loc/abc.def")))
    without = message(AskLocation("Send your location to check in."))
    assert "action" not in [e["tag"] for e in without["content"]["elements"]]


def test_media_is_uploaded_then_sent_by_key():
    out = render.render(Media("image", "chart.png", "image/png", b"\x89PNG"), "en", CHAT)
    assert (out.msg_type, out.content, out.media is not None) == ("image", {}, True)


def test_a_decided_card_and_a_collapsed_picker_have_no_buttons():
    decided = render.as_card(Card("Quote Q-7 approved", (Field("Total", "¥120,000"),), (), ref="quote:7"), "en", CHAT)
    golden("decided", {"card": decided, "collapsed": render.collapsed("苏州恒力机械 · 95 m")})
    assert "action" not in json.dumps(decided)


def test_a_collapsed_choice_shows_one_mark():
    assert render.collapsed("✓ 准备X100报价")["elements"] == [render.div("✓ 准备X100报价")]  # agenda items start with ✓
    assert render.collapsed("准备X100报价")["elements"] == [render.div("✓ 准备X100报价")]
    assert render.collapsed("This form has expired.", mark="⚠️")["elements"] == [render.div("⚠️ This form has expired.")]


def test_every_callback_button_names_the_chat_and_the_language_shown():
    data = message(Card("报价", (), (Action("✅ 批准", token="ap.-.y3.Bb12Cd", style="primary"),), ref="approval:3"), "zh-CN")
    assert data["content"]["elements"][0]["actions"][0]["value"] == {"t": "ap.-.y3.Bb12Cd", "c": CHAT, "g": "zh-CN", "r": "approval:3"}

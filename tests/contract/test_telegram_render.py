"""Golden renders: every neutral reply → the exact Bot API calls (tests/contract/golden/telegram/*.json).

Regenerate after an intended change with FIELDCHAT_REGOLD=1, then read the diff before committing.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bots.telegram.inbound import action_event
from bots.telegram.keyboards import bot_commands, card_mark
from bots.telegram.markup import MESSAGE_LIMIT, Run, split, to_html, utf16_len
from bots.telegram.render import Outgoing, View, expired_notice, picked, render, render_edit
from conversations.flows.menu import MENUS, menu_labels
from conversations.i18n import translate
from conversations.inbound import ActionEvent
from conversations.messages import (
    Action,
    AskLocation,
    Card,
    Choices,
    Field,
    Form,
    FormField,
    Media,
    Reply,
    Text,
)
from core.models import Role

GOLDEN = Path(__file__).parent / "golden" / "telegram"
PRIVATE_EN = View(private=True, locale="en", bot_username="FieldChatTestBot")


def menu(role: str, locale: str = "en") -> Choices:
    """A role's main menu as the menu flow sends it (labels from the catalogs, placeholder tokens)."""
    labels = menu_labels(Role(role), locale)
    return Choices(translate(locale, "menu.prompt"), tuple(Action(label, token=f"x.-.go:{n}.sig") for n, label in enumerate(labels)))


PRIVATE_ZH = View(private=True, locale="zh-CN", bot_username="FieldChatTestBot")
GROUP_EN = View(private=False, locale="en", bot_username="FieldChatTestBot")
GROUP_ZH_NO_NAME = View(private=False, locale="zh-CN", bot_username=None)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(1000)

CARD = Card(
    "✅ Checked in: 苏州恒力机械有限公司",
    (
        Field("Distance to site", "100 m"),
        Field("Geofence", "inside (300 m radius)"),
        Field("Contacts", "王建国 采购经理 13812345678\n李娜 <技术> & 设备"),
    ),
    (
        Action("Check out", token="ci.-.out1.gZM0kM", style="primary"),
        Action("Release to pool", token="po.-.rel4.Ab_-9z", style="danger"),
        Action("Map", url="https://uri.amap.com/marker?position=120.726,31.3236"),
    ),
    subtitle="机械-华东-001 · end customer",
    ref="visit:1",
)
CASES: dict[str, tuple[list[Reply], View]] = {
    "text_escaped": ([Text("Tom & Jerry <b>not bold</b> 5 > 3")], PRIVATE_EN),
    "choices_short_two_per_row": ([Choices("Language / 语言", (Action("中文", token="lg.-.zh-CN.CBpdqk"), Action("English", token="lg.-.en.l2EcLB")))], PRIVATE_EN),
    "choices_long_one_per_row": (
        [Choices("Customers near you (2). Where are you?", (
            Action("Suzhou Hengli Machinery Co., Ltd. · 苏州恒力机械有限公司 · 100 m", token="ci.n5r74g.p1.e7KwG2"),
            Action("🔎 Another customer…", token="ci.n5r74g.s.vLkNgi"),
        ))],
        PRIVATE_EN,
    ),
    "choices_mixed_pair_short_labels_around_a_long_one": (
        [Choices("What would you like to do?", (
            Action("📍 Check in", token="x.-.go:0.sig"), Action("📝 Log visit", token="x.-.go:1.sig"),
            Action("📅 Agenda", token="x.-.go:2.sig"), Action("🏖 Away / delegate", token="x.-.go:3.sig"),
            Action("🔔 Settings", token="x.-.go:4.sig"), Action("🌐 Language", token="x.-.go:5.sig"),
        ))],
        PRIVATE_EN,
    ),
    "choices_named_mark_their_buttons": (
        [Choices("Options for X1000: tap to add or remove, then Done.", (
            Action("☑ 100kW 电机 +CN¥12,000.00", token="qt.Mms-xw.t3.DK7oyT"), Action("Done ➜", token="qt.Mms-xw.od.h9rtT8", style="primary"),
        ), ref="quote-options:Mms-xw:7")],
        PRIVATE_EN,
    ),
    "question_in_a_group_opens_the_askers_reply_box": (
        [Text("Quote Q-7 started."), Text("Which customer? Type a name.", awaits_answer=True)],
        View(private=False, locale="en", bot_username="FieldChatTestBot", asker_message=42),
    ),
    "question_in_a_private_chat_is_plain_text": ([Text("Which customer? Type a name.", awaits_answer=True)], PRIVATE_EN),
    "choices_with_link_and_cancel": (
        [Choices("Check out of 苏州恒力", (Action("📝 Fill in on a page", url="https://fieldchat.example/p/form/abc"), Action("✖ Cancel", token="x.-.cancel.0jENyB", style="danger")))],
        PRIVATE_EN,
    ),
    "card_html_fields_and_buttons": ([CARD], PRIVATE_EN),
    "card_with_a_hint_is_one_message": ([CARD, Text("Send photos now; tap “Check out” when you leave."), Text("second <text>")], PRIVATE_EN),
    "form_as_text": (
        [Form("New lead", (FormField("company_name", "Company"), FormField("phone", "Phone", "phone", required=False)),
              Action("Save", token="ld.a.submit.x"), errors=(("phone", "not a valid phone number"),))],
        PRIVATE_EN,
    ),
    "ask_location_private": ([AskLocation("Share your current location to check in.", web_url="https://fieldchat.example/p/loc/x")], PRIVATE_EN),
    "ask_location_private_zh": ([AskLocation("请发送您当前的位置以签到。")], PRIVATE_ZH),
    "ask_location_group_with_page": ([AskLocation("Share your current location to check in.", web_url="https://fieldchat.example/p/loc/x")], GROUP_EN),
    "ask_location_group_without_page": ([AskLocation("Share your current location to check in.")], GROUP_EN),
    "ask_location_group_without_page_or_name_zh": ([AskLocation("请发送您当前的位置以签到。")], GROUP_ZH_NO_NAME),
    "menu_gets_the_main_keyboard": ([Text("Hello Zhang Wei!"), menu("rep")], PRIVATE_EN),
    "menu_of_a_manager_puts_approvals_on_the_keyboard": ([Text("Hello Wang Qiang!"), menu("manager")], PRIVATE_EN),
    "menu_of_a_dealer_has_no_location_button": ([Text("您好，刘洋！"), menu("dealer", "zh-CN")], PRIVATE_ZH),
    "ask_location_keeps_the_managers_keyboard": (
        [AskLocation("Share your current location to check in.")], replace(PRIVATE_EN, offered=menu_labels(Role.MANAGER, "en")),
    ),
    "ask_location_for_the_pool_gives_a_director_the_location_button": (
        [AskLocation("Share your location to see pool customers near you.")], replace(PRIVATE_EN, offered=menu_labels(Role.DIRECTOR, "en")),
    ),
    "menu_in_a_group_has_no_reply_keyboard": (
        [Text("Hello Zhang Wei!"), Choices("What would you like to do?", (Action("📍 Check in", token="x.-.go:checkin._VMpEY"),))],
        GROUP_EN,
    ),
    "language_switch_refreshes_the_keyboard": ([Text("已切换为中文。")], PRIVATE_EN),
    "card_zh_labels_take_a_full_width_colon": ([Card(
        "✅ 已签到：苏州恒力机械有限公司", (Field("距客户位置", "55 m"), Field("SLA", "4 h"), Field("配置选项", "100kW 电机\n不锈钢泵体")),
    )], PRIVATE_ZH),
    "media_photo_with_caption": ([Media("image", "sales.png", "image/png", PNG, caption="Sales · <month>")], PRIVATE_EN),
    "media_file": ([Media("file", "customers.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04")], PRIVATE_EN),
    "media_caption_too_long_follows_as_text": ([Media("image", "chart.png", "image/png", PNG, caption="x" * 1100)], PRIVATE_EN),
}


def as_json(calls: list[Outgoing]) -> list[dict[str, Any]]:
    out = []
    for call in calls:
        item: dict[str, Any] = {"method": call.method, "params": call.params}
        if call.upload is not None:
            item["upload"] = {"param": call.upload.param, "filename": call.upload.filename, "mime": call.upload.mime, "size": len(call.upload.data)}
        out.append(item)
    return out


def check_golden(name: str, actual: list[dict[str, Any]]) -> None:
    path = GOLDEN / f"{name}.json"
    if os.environ.get("FIELDCHAT_REGOLD"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert actual == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_render(name: str) -> None:
    replies, view = CASES[name]
    check_golden(name, as_json(render(replies, view)))


EDITS: dict[str, list[Reply]] = {
    "edit_card_decided_loses_buttons": [Card("Quote Q-17", (Field("Decision", "approved"),))],
    "edit_choices_keeps_its_buttons": [Choices("Pick one", (Action("A", token="t.-.a.x"),))],
    "edit_nothing_removes_the_keyboard": [],
    "edit_photo_cannot_replace_text": [Media("image", "c.png", "image/png", PNG)],
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_golden_edit(name: str) -> None:
    first, rest = render_edit(EDITS[name], PRIVATE_EN)
    check_golden(name, as_json([first, *rest]))


class _Checker(HTMLParser):
    """Telegram's parser is strict: every tag closed in order, only known tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        assert tag in ("b", "i", "code"), tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def visible_text(html: str) -> str:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    return "".join(checker.visible)


def test_long_card_splits_on_lines_with_every_tag_closed_and_buttons_on_the_last_part() -> None:
    fields = tuple(Field(f"Visit {n} <{n}>", "客户关注能耗 & 交期 🚚 " * 12) for n in range(60))
    calls = render([Card("Customer 360 · 苏州恒力", fields, (Action("Check in here", token="ci.-.at1.abcdef"),))], PRIVATE_EN)
    assert len(calls) >= 3
    for call in calls:
        text = visible_text(call.params["text"])
        assert 0 < utf16_len(text) <= MESSAGE_LIMIT
        assert not text.startswith("\n") and text == text.strip()
    assert [("reply_markup" in c.params) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert visible_text(calls[1].params["text"]).startswith("Visit ")


def test_random_texts_split_within_the_limit_and_lose_nothing_but_cut_whitespace() -> None:
    rng = random.Random(20261124)
    alphabet = "abc 漢字<>&\n😀🚚x" + "d" * 20
    for _ in range(60):
        runs = [Run("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000))), rng.choice(["", "b", "i"])) for _ in range(rng.randint(1, 6))]
        chunks = split(runs)
        whole = "".join(r.text for r in runs)
        seen = "".join(visible_text(to_html(c)) for c in chunks)
        assert all(utf16_len(visible_text(to_html(c))) <= MESSAGE_LIMIT for c in chunks)
        assert seen.replace("\n", "").replace(" ", "") == whole.replace("\n", "").replace(" ", "")


def test_callback_data_over_64_bytes_is_refused_not_truncated() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        render([Choices("x", (Action("y", token="t" * 65),))], PRIVATE_EN)


def test_only_the_engines_expired_answer_becomes_a_toast() -> None:
    assert expired_notice([Text("This button has expired. Start again from the menu (/help).")])
    assert expired_notice([Text("此按钮已失效，请从菜单重新开始（/help）。")])
    assert expired_notice([Text("Saved.")]) is None
    assert expired_notice([Text("This button has expired. Start again from the menu (/help)."), Text("more")]) is None


def _data(calls: list[Outgoing]) -> list[str]:
    return [b["callback_data"] for c in calls for row in c.params.get("reply_markup", {}).get("inline_keyboard", []) for b in row if "callback_data" in b]


def test_a_cards_buttons_carry_its_records_mark_and_a_tap_gives_back_the_token() -> None:
    token = "ci.-.out1.gZM0kM"
    card = Card("✅ Checked in: 苏州恒力", (Field("Distance", "100 m"),), (Action("Check out", token=token),), ref="visit:12")
    (data,) = _data(render([card], PRIVATE_EN))
    assert data == f"{token}~{card_mark('visit:12')}" and len(card_mark("visit:12")) == 4
    assert action_event(data) == (ActionEvent(token), card_mark("visit:12"))
    assert action_event(token) == (ActionEvent(token), None)  # a button from before marks, or not on a card
    assert card_mark("visit:13") != card_mark("visit:12")
    assert _data(render([Choices("Pick", (Action("苏州恒力", token=token),))], PRIVATE_EN)) == [token]  # a picker shows no record
    assert _data([render_edit([card], PRIVATE_EN)[0]]) == [data]  # an edited card keeps it, for the next tap


def test_a_picked_steps_list_keeps_its_question_and_the_pick_in_place_of_its_buttons() -> None:
    edit = picked("Customers near you (2). Where &amp; when?", "苏州恒力 <Suzhou> · 100 m")
    assert edit.method == "editMessageText" and "reply_markup" not in edit.params
    assert edit.params["text"] == "Customers near you (2). Where &amp; when?\n\n<b>✓ 苏州恒力 &lt;Suzhou&gt; · 100 m</b>"
    assert picked("Pick", None) == Outgoing("editMessageReplyMarkup", {})  # the tapped button was not found
    assert picked("客户" * 2045, "苏州恒力 · 100 m") == Outgoing("editMessageReplyMarkup", {})  # over 4096 with the pick


def test_a_mark_that_does_not_fit_64_bytes_or_a_split_card_is_left_off() -> None:
    long_token = "qt.-." + "a" * 50 + ".abcdef"
    card = Card("Quote", (), (Action("Approve", token=long_token),), ref="quote:7")
    assert _data(render([card], PRIVATE_EN)) == [long_token]
    fields = tuple(Field(f"Visit {n}", "客户关注能耗 & 交期 " * 20) for n in range(60))
    split_card = Card("Customer 360", fields, (Action("Check in here", token="ci.-.at1.abcdef"),), ref="customer:1")
    assert _data(render([split_card], PRIVATE_EN)) == ["ci.-.at1.abcdef"]  # its last part alone is not the card


def test_only_the_main_menu_brings_the_main_keyboard_not_any_list_asking_the_same() -> None:
    listed = [Text("Team check-ins, today: 7"), Choices(translate("en", "menu.prompt"), (Action("This week", token="tc.-.week.abcdef"),))]
    assert not any("keyboard" in c.params.get("reply_markup", {}) for c in render(listed, PRIVATE_EN))
    calls = render([Text("Hello"), menu("manager")], PRIVATE_EN)
    assert calls[0].params["reply_markup"]["keyboard"][1] == [{"text": "✅ Approvals"}, {"text": "➕ New lead"}]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_roles_command_menu_has_a_description_in_both_languages(locale: str) -> None:
    """Each role's "/" menu is its main menu's commands, then help and cancel, each with a described
    entry Telegram accepts (1-32 lowercase letters, digits or _; description 1-256 characters)."""
    for role, items in MENUS.items():
        commands = bot_commands(locale, menu_labels(role, locale))
        assert [c["command"] for c in commands] == [*items, "help", "cancel"], role
        for c in commands:
            assert c["command"].isascii() and c["command"].replace("_", "").isalnum() and c["command"].islower()
            assert 1 <= len(c["description"]) <= 256 and c["description"] != f"telegram.cmd.{c['command']}", c
    assert [c["command"] for c in bot_commands(locale)] == ["checkin", "visit", "lead", "c", "agenda", "pool", "lang", "help", "cancel"]

"""Every neutral reply → WeCom message/send bodies, compared with golden JSON
(FIELDCHAT_UPDATE_GOLDEN=1 rewrites them; review the diff)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from bots.wecom import render
from conversations.messages import Action, AskLocation, Card, Choices, Field, Form, FormField, Media, Text
from tests.support.golden import check_golden

GOLDEN = Path(__file__).parent / "golden" / "wecom"
TOKEN = "ci.k3Fq9a.p12.Ab12Cd"


def golden(name: str, data: Any) -> None:
    check_golden(GOLDEN, name, data)


def out(reply: Any, locale: str = "zh-CN") -> list[Any]:
    ids = (f"task{n}" for n in itertools.count(1))
    rendered = render.render(reply, locale=locale, task_ids=ids)
    return [o if isinstance(o, dict) else {"upload": o.kind, "filename": o.filename, "mime": o.mime, "bytes": len(o.data)} for o in rendered]


def test_text():
    golden("text", out(Text("你好，王经理！\nTom & Jerry <b>not bold</b>")))


def test_long_text_is_split_at_2048_bytes():
    bodies = out(Text("签到" * 1000))
    assert len(bodies) == 3
    assert all(len(b["text"]["content"].encode()) <= 2048 for b in bodies)
    assert "".join(b["text"]["content"] for b in bodies) == "签到" * 1000


def test_choices_with_short_labels():
    golden("choices", out(Choices("选择客户", (
        Action("恒力机械", token=TOKEN, style="primary"),
        Action("宝钢", token="ci.k3Fq9a.p13.Zz99Yy"),
        Action("取消", token="x.-.cancel.Qq11Ww", style="danger"),
    ))))


def test_choices_with_long_labels_list_them_in_full():
    golden("choices_long", out(Choices("附近 2 家客户，选择一家签到", (
        Action("苏州恒力机械有限公司 · 95 m", token=TOKEN),
        Action("苏州天宇精密制造有限公司 · 1.2 km", token="ci.k3Fq9a.p14.Zz99Yy"),
        Action("🔍 其他客户", token="ci.k3Fq9a.s.Xx77Vv"),
    ))))


def test_card_as_template_card():
    golden("card", out(Card(
        "已签到：苏州恒力", (Field("距离", "95 m"), Field("判定", "在 300 m 围栏内"), Field("精度", "±15 m")),
        (Action("签退", token="ci.-.out7.Ab12Cd", style="primary"), Action("地图", url="https://map.example/1")),
        subtitle="机械-华东-001", ref="visit:7",
    )))


def test_big_card_sends_the_full_text_first():
    fields = (*(Field(f"字段{n}", f"值{n}") for n in range(8)), Field("地址", "江苏省苏州市工业园区星湖街328号创意产业园"))
    golden("card_big", out(Card("苏州恒力机械有限公司", fields, (Action("认领", token=TOKEN),), subtitle="重点客户")))


def test_card_without_buttons_is_markdown():
    golden("card_plain", out(Card("报价 Q-2031-0007 已批准", (Field("金额", "¥120,000.00"),), (Action("打开", url="https://crm.example/q/7"),))))


def test_ask_location_with_and_without_the_page():
    golden("ask_location", out(AskLocation("请发送您的位置")))
    golden("ask_location_page", out(AskLocation("请发送您的位置", web_url="https://fc.example/p/checkin?t=abc")))


def test_ask_location_in_english():
    golden("ask_location_en", out(AskLocation("Send your location", web_url="https://fc.example/p/c"), locale="en"))


def test_form_degraded():
    form = Form("新线索", (FormField("company", "公司"), FormField("phone", "电话", "phone", required=False)),
                Action("提交", token=TOKEN), errors=(("phone", "电话号码无效"),))
    golden("form", out(form))


def test_media():
    golden("media", out(Media("image", "chart.png", "image/png", b"\x89PNG....", caption="本月漏斗")))


def test_done_card_and_outcome():
    golden("done", render.done_card([Text("✅ 已批准 Q-2031-0007，已通知销售")], "已处理"))
    assert render.done_card([], "已处理") == {"button": {"replace_name": "已处理"}}


def test_menu():
    golden("menu_zh", render.menu("zh-CN"))
    menu = render.menu("en")
    assert [b["name"] for b in menu["button"]] == ["📍 Check in", "Work", "More"]
    assert menu["button"][0]["type"] == "location_select"
    for group in menu["button"][1:]:
        assert 1 <= len(group["sub_button"]) <= 5
        assert all(len(b["name"].encode()) <= 40 and b["type"] == "click" for b in group["sub_button"])


def all_out(replies: list[Any], locale: str = "zh-CN") -> list[Any]:
    ids = (f"task{n}" for n in itertools.count(1))
    return [o for o in render.render_all(replies, locale=locale, task_ids=ids) if isinstance(o, dict)]


def test_more_than_six_buttons_are_paged_not_dropped():
    """A rep's menu has eleven actions; a button_interaction card holds six."""
    labels = ["📍 签到", "📝 记录拜访", "➕ 新线索", "🔎 查客户", "📝 报价", "📋 我的报价", "📅 日程", "🌊 公海", "📦 渠道库存", "🔔 通知设置", "🌐 语言"]
    menu = Choices("要做什么？", tuple(Action(label, token=f"x.-.go:{n}.Ab12Cd") for n, label in enumerate(labels)))
    bodies = all_out([menu])
    golden("choices_paged", bodies)
    shown = [b["text"] for body in bodies for b in body["template_card"]["button_list"]]
    assert shown == labels and all(len(body["template_card"]["button_list"]) <= render.BUTTONS for body in bodies)


def test_a_card_with_more_than_six_actions_keeps_them_all():
    actions = tuple(Action(f"操作{n}", token=f"ci.-.a{n}.Ab12Cd") for n in range(8))
    bodies = all_out([Card("苏州恒力机械有限公司", (Field("等级", "重点"),), actions)])
    golden("card_paged", bodies)
    assert [b["text"] for body in bodies for b in body["template_card"]["button_list"]] == [a.label for a in actions]


def test_more_links_than_a_jump_list_holds_are_listed_in_full_first():
    links = tuple(Action(f"附件{n}", url=f"https://fc.example/f/{n}") for n in range(5))
    bodies = all_out([Card("报价 Q-7", (Field("金额", "¥1.00"),), (Action("批准", token=TOKEN), *links))])
    golden("card_many_links", bodies)
    assert bodies[0]["msgtype"] == "markdown" and all(a.url in bodies[0]["markdown"]["content"] for a in links)
    choice = all_out([Choices("下载", (Action("好", token=TOKEN), *links))])
    assert choice[0]["msgtype"] == "markdown" and all(a.url in choice[0]["markdown"]["content"] for a in links)
    assert len(choice[-1]["template_card"]["jump_list"]) == render.LINKS


def test_the_greyed_label_says_what_the_tap_led_to():
    decided = Card("报价审批 · Q-2031-0007 · ¥192,000.00", (Field("审批结果", "✅ 王强 已批准 · 11/24 10:00"),))
    assert render.outcome([decided, Text("已批准：Q-2031-0007 审批完成，已通知申请人。")]).startswith("已批准")
    assert render.outcome([AskLocation("请发送位置，完成现场签到。")]) == "请发送位置，完成现场签到。"
    assert render.outcome([Card("✅ 已签到：苏州恒力", (), (Action("签退", token=TOKEN),)), Text("照片…")]) == "✅ 已签到：苏州恒力"
    assert render.outcome([decided]) == decided.title  # a record shown again, nothing said beside it
    golden("edited", render.edited_card([decided], "已处理"))
    assert render.edited_card([Text("已撤回")], "已处理") == {"button": {"replace_name": "已撤回"}}

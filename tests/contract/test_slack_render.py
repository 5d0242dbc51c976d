"""Every neutral reply → Block Kit, compared with golden JSON (FIELDCHAT_UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from bots.slack import modals, render
from conversations.messages import Action, AskLocation, Card, Choices, Field, Form, FormField, Media, Text
from tests.support.golden import CHECK, LEAD_FORM, NEARBY, check_golden

GOLDEN = Path(__file__).parent / "golden" / "slack"


def golden(name: str, data: Any) -> None:
    check_golden(GOLDEN, name, data)


def message(reply: Any, locale: str = "en") -> dict[str, Any]:
    m = render.render(reply, locale)
    return {"text": m.text, "blocks": m.blocks}


def test_text_is_escaped_mrkdwn():
    golden("text", message(Text("Tom & Jerry <script> *not bold*? 5 > 3")))


def test_long_text_is_split_at_3000_characters():
    blocks = message(Text("长" * 6500))["blocks"]
    assert [len(b["text"]["text"]) for b in blocks] == [3000, 3000, 500]


def test_choices_are_buttons_with_tokens_and_links():
    reply = NEARBY
    golden("choices", message(reply))


def test_more_than_25_buttons_take_several_actions_blocks():
    reply = Choices("Pick", tuple(Action(f"n{i}", token=f"t.-.{i}.abcdef") for i in range(30)))
    blocks = message(reply)["blocks"]
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]


def test_card_has_header_fields_and_actions():
    card = Card(
        "✅ Checked in: 苏州恒力机械有限公司",
        (Field("Distance", "95 m"), Field("Verdict", "inside <300 m>"), Field("Notes", "a & b")),
        (Action("Check out", token="ci.-.out12.Zx98Yw", style="primary"),),
        subtitle="机械-华东-001",
        ref="visit:12",
    )
    golden("card", message(card))


def test_card_with_many_fields_uses_several_sections():
    card = Card("C", tuple(Field(f"f{i}", str(i)) for i in range(13)))
    sections = [b for b in message(card)["blocks"] if b["type"] == "section"]
    assert [len(s["fields"]) for s in sections] == [10, 3]


def test_form_is_a_button_holding_the_form():
    golden("form", message(LEAD_FORM))
    value = message(LEAD_FORM)["blocks"][-1]["elements"][0]["value"]
    assert len(value) <= 2000
    assert modals.decode_form(value).fields == LEAD_FORM.fields


def test_form_with_errors_lists_them():
    rejected = Form(LEAD_FORM.title, LEAD_FORM.fields, CHECK, errors=(("phone", "Not a phone number"),))
    golden("form_errors_zh", message(rejected, "zh-CN"))


def test_ask_location_links_to_the_signed_page():
    golden("ask_location", message(AskLocation("Share your current location to check in.", "https://crm.example.com/p/loc/abc.def")))


def test_media_is_an_upload():
    m = render.render(Media("image", "chart.png", "image/png", b"\x89PNG", caption="Sales this month"), "en")
    assert m.blocks == [] and m.upload is not None and m.text == "Sales this month"


def test_decided_message_loses_its_buttons():
    blocks = message(Choices("Where are you?", (Action("A", token="a.b.c.d"),)))["blocks"]
    golden("decided", render.decided(blocks, "✓ 苏州恒力 <95 m>"))


def test_card_ref_is_found_in_posted_blocks():
    blocks = message(Card("X", ref="quote:7"))["blocks"]
    assert render.card_ref(blocks) == "quote:7"
    assert render.card_ref(message(Text("x"))["blocks"]) is None


def test_modal_for_a_form():
    golden("modal", modals.modal(LEAD_FORM, "zh-CN", {"c": "DU1", "ts": "1.2", "t": "New lead"}))


def test_modal_with_notes_and_errors():
    rejected = Form(LEAD_FORM.title, LEAD_FORM.fields, CHECK, errors=(("phone", "Not a phone number"),))
    golden("modal_errors", modals.modal(rejected, "en", {"c": "DU1", "ts": "1.2", "t": "x"}, notes=("The company name is missing.",)))


def test_submitted_values_from_view_state():
    state = {
        "values": {
            "company_name": {"v": {"type": "plain_text_input", "value": "ACME"}},
            "phone": {"v": {"type": "plain_text_input", "value": None}},
            "next_contact": {"v": {"type": "datepicker", "selected_date": "2031-05-06"}},
            "source": {"v": {"type": "static_select", "selected_option": {"value": "website", "text": {}}}},
        }
    }
    assert modals.submitted(state) == {"company_name": "ACME", "phone": "", "next_contact": "2031-05-06", "source": "website"}


def test_field_errors_go_to_their_blocks():
    rejected = Form("t", LEAD_FORM.fields, CHECK, errors=(("phone", "bad"), ("nope", "general")))
    assert modals.field_errors(rejected) == {"phone": "bad", "company_name": "general"}


@pytest.mark.parametrize("value", ["", "not-base64!", "eJwrzs9NVSjPL8pJAQAVtwPl"])
def test_a_forged_opener_is_refused(value):
    with pytest.raises(ValueError):
        modals.decode_form(value)


def test_home_view():
    replies = [Text("Today (1)\n• 5 Jun follow up: 苏州恒力"), Choices("Tap an item when it is done:", (Action("✓ 苏州恒力", token="ag.-.df1.abcdef"),))]
    golden("home", render.home(replies, "en"))


def test_long_labels_are_cut_to_slack_limits():
    card = Card("T" * 200, (), (Action("L" * 100, token="a.b.c.d"),))
    blocks = message(card)["blocks"]
    assert len(blocks[0]["text"]["text"]) == 150 and blocks[0]["text"]["text"].endswith("…")
    assert len(blocks[-1]["elements"][0]["text"]["text"]) == 75


def test_a_large_form_drops_hints_and_long_option_labels_to_fit_its_button():
    rng = random.Random(3)
    words = lambda n: "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))  # noqa: E731  (incompressible)
    options = tuple((f"v{i}", words(40)) for i in range(30))
    big = Form("Big", (FormField("pick", "Pick", "choice", options=options, hint=words(300)),), CHECK)
    value = modals.encode_form(big)
    assert len(value) <= 2000
    decoded = modals.decode_form(value)
    assert decoded.fields[0].hint is None and len(decoded.fields[0].options) == 30
    assert all(len(label) == 16 for _, label in decoded.fields[0].options)
    with pytest.raises(modals.FormTooLarge):
        modals.encode_form(Form("Huge", tuple(FormField(f"f{i}", words(30)) for i in range(120)), CHECK))

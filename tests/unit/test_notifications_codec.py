"""Replies stored in the outbox come back exactly as composed; anything else is refused, not guessed."""

from __future__ import annotations

import json

import pytest

from conversations.messages import Action, AskLocation, Card, Choices, Field, Form, FormField, Media, Text
from conversations.reply_codec import BadPayload, dump_all, load, load_all

EVERY_KIND = [
    Text("你好 <b>not markup</b>"),
    Choices("Pick", (Action("A", token="vl.-.p1.abcdef", style="primary"), Action("Map", url="https://example.com/x"))),
    Choices("Options", (Action("☑ 100kW", token="qt.abc.t1.abcdef"),), ref="quote-options:abc:7"),
    Card("苏州恒力", (Field("Due", "Dec 1"), Field("Last", "-")), (Action("Log", token="vl.-.p1.abcdef"),),
         subtitle="机械-华东-001", ref="customer:1"),
    Form("New lead", (FormField("phone", "Phone", "phone", required=False, hint="mobile"),
                      FormField("src", "Source", "choice", options=(("web", "Website"),), value="web")),
         Action("Save", token="ld.abc.save.xyz123"), errors=(("phone", "bad"),)),
    AskLocation("Where are you?", web_url="https://example.com/where"),
    Media("image", "chart.png", "image/png", b"\x89PNG\r\n\x00\xff", caption="Sales"),
]


def test_every_reply_kind_round_trips_through_json():
    stored = json.loads(json.dumps(dump_all(EVERY_KIND)))
    assert load_all(stored) == EVERY_KIND


def test_a_question_stays_a_question():
    (back,) = load_all(json.loads(json.dumps(dump_all([Text("Which customer?", awaits_answer=True)]))))
    assert back.awaits_answer
    assert not load_all(dump_all([Text("Done.")]))[0].awaits_answer


@pytest.mark.parametrize(
    "payload",
    [
        {"t": "video", "url": "x"},
        {"t": "text"},
        {"t": "text", "text": 5},
        {"t": "choices", "prompt": "p", "options": [{"label": "a"}]},                       # neither token nor url
        {"t": "choices", "prompt": "p", "options": [{"label": "a", "token": "t", "style": "blink"}]},
        {"t": "media", "kind": "image", "filename": "a", "mime": "image/png", "data": "!!not base64"},
        "text",
        None,
    ],
)
def test_unknown_or_malformed_payloads_are_refused(payload):
    with pytest.raises(BadPayload):
        load(payload)


def test_a_payload_must_be_a_list():
    with pytest.raises(BadPayload):
        load_all({"t": "text", "text": "x"})

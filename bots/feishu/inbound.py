"""Feishu event JSON → who spoke and one neutral event (pure functions, no I/O).

Conversations are keyed by chat: a one-to-one chat by the user's open_id ("ou_…"; the bot
menu event names no chat, only the user), a group by its chat id ("oc_…"). Feishu's
location messages are GCJ-02 in China, so the event says so and the engine converts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from conversations.inbound import (
    ActionEvent,
    CommandEvent,
    Event,
    FormEvent,
    LocationEvent,
    MediaEvent,
    TextEvent,
)

MENTION_PREFIX = "@_user_"
MAX_FORM_VALUE = 4000


@dataclass(frozen=True)
class Inbound:
    """One user event: the conversation it belongs to and what was said (None: unsupported)."""

    tenant: str
    chat: str
    user: str
    event: Event | None
    message_id: str = ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def text_event(text: str) -> Event:
    words = " ".join(w for w in text.split(" ") if not w.startswith(MENTION_PREFIX)).strip()
    if words.startswith("/") and len(words) > 1 and not words[1:2].isspace():
        name, _, args = words[1:].partition(" ")
        return CommandEvent(name.lower()[:40], args.strip())
    return TextEvent(words)


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def post_text(content: dict[str, Any]) -> str:
    """The words of a rich-text post (title and text runs), without styling or images."""
    body = content.get("content")
    if not isinstance(body, list):  # a post sent with languages: {"zh_cn": {...}}
        first = next((v for v in content.values() if isinstance(v, dict)), {})
        return post_text(first) if first else ""
    runs = [
        _str(item.get("text"))
        for line in body if isinstance(line, list)
        for item in line if isinstance(item, dict) and item.get("tag") in ("text", "a", "md")
    ]
    return " ".join(p for p in [_str(content.get("title")), "".join(runs)] if p).strip()


def message_event(message: dict[str, Any]) -> Event | None:
    """The neutral event of an im.message.receive_v1 message; None for kinds we do not read."""
    kind = message.get("message_type")
    try:
        content = _dict(json.loads(_str(message.get("content")) or "{}"))
    except ValueError:
        return None
    if kind == "text":
        return text_event(_str(content.get("text")))
    if kind == "post":
        return text_event(post_text(content))
    if kind == "location":
        lat, lon = _float(content.get("latitude")), _float(content.get("longitude"))
        return LocationEvent(lat, lon, None, live=False, source="pin", datum="gcj02")
    if kind == "image" and _str(content.get("image_key")):
        return MediaEvent("image", f"feishu:{_str(message.get('message_id'))}:{content['image_key']}")
    return None


def parse_message(event: dict[str, Any], tenant: str) -> Inbound | None:
    message = _dict(event.get("message"))
    sender = _dict(event.get("sender"))
    user = _str(_dict(sender.get("sender_id")).get("open_id"))
    if not user or sender.get("sender_type") not in (None, "user"):
        return None  # other bots and system senders are not conversations
    chat = user if message.get("chat_type") == "p2p" else _str(message.get("chat_id"))
    if not chat:
        return None
    return Inbound(tenant, chat, user, message_event(message), _str(message.get("message_id")))


def parse_menu(event: dict[str, Any], tenant: str) -> Inbound | None:
    user = _str(_dict(_dict(event.get("operator")).get("operator_id")).get("open_id"))
    key = _str(event.get("event_key")).strip().lstrip("/")
    if not user or not key:
        return None
    return Inbound(tenant, user, user, CommandEvent(key.lower()[:40]))


@dataclass(frozen=True)
class Click:
    """A card button or form submission: the event, and how to answer the card."""

    inbound: Inbound
    picker_label: str | None
    message_id: str
    ref: str | None = None
    """The record the clicked card shows (Card.ref), if it was a record card."""


def parse_card_action(event: dict[str, Any], tenant: str) -> Click | None:
    action = _dict(event.get("action"))
    value = _dict(action.get("value"))
    user = _str(_dict(event.get("operator")).get("open_id"))
    context = _dict(event.get("context"))
    chat = _str(value.get("c")) or _str(context.get("open_chat_id"))
    token = _str(value.get("t"))
    if not user or not chat or not token:
        return None
    raw_form = action.get("form_value")
    neutral: Event
    if isinstance(raw_form, dict):
        neutral = FormEvent({str(k)[:100]: form_value(v) for k, v in raw_form.items()})
    else:
        neutral = ActionEvent(token[:300])
    label = _str(value.get("l")) or None
    inbound = Inbound(tenant, chat, user, neutral, _str(context.get("open_message_id")))
    return Click(inbound, label, inbound.message_id, _str(value.get("r")) or None)


def form_value(value: Any) -> str | int | float | bool | None:
    """A submitted value as the form checker expects: date pickers send '2026-12-01 +0800'."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list):
        return ",".join(str(v) for v in value)[:MAX_FORM_VALUE]
    text = str(value)[:MAX_FORM_VALUE]
    if len(text) > 10 and text[4:5] == "-" and text[7:8] == "-" and text[10:11] == " ":
        return text[:10]
    return text

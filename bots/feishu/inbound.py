"""Feishu event JSON → who spoke and one neutral event (pure functions, no I/O).

Conversations are keyed by chat: a one-to-one chat by the user's open_id ("ou_…"; the bot
menu event names no chat, only the user), a group by its chat id ("oc_…"). Feishu's
location messages are GCJ-02 in China, so the event says so and the engine converts.

Language: Feishu names no user's language in events or in the contact API; a message carries
the sender's client user agent ("… Lark/7.27.8 LarkLocale/zh_CN …", sent to apps granted the
user-agent permission), and a card click carries what we stamped into the button (`"g"`: the
language the card was shown in). Either is the turn's locale hint.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from conversations.i18n import normalise_locale
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
CLIENT_LOCALE = re.compile(r"\bLarkLocale/([A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,4})?)")


@dataclass(frozen=True)
class Inbound:
    """One user event: the conversation it belongs to and what was said (None: unsupported)."""

    tenant: str
    chat: str
    user: str
    event: Event | None
    message_id: str = ""
    locale_hint: str | None = None
    """The user's language as the platform shows it (client user agent, or the clicked card's)."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def text_event(text: str) -> Event:
    words = " ".join(w for w in text.split(" ") if not w.startswith(MENTION_PREFIX)).strip()
    if words.startswith("/") and len(words) > 1 and not words[1:2].isspace():
        name, *rest = words[1:].split(maxsplit=1)
        return CommandEvent(name.lower()[:40], rest[0].strip() if rest else "")
    return TextEvent(words)


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def post_text(content: dict[str, Any]) -> str:
    """The words of a rich-text post (title, then one line per paragraph), without styling or images."""
    body = content.get("content")
    if not isinstance(body, list):  # a post sent with languages: {"zh_cn": {...}}
        first = next((v for v in content.values() if isinstance(v, dict)), {})
        return post_text(first) if first else ""
    lines = [
        "".join(_str(item.get("text")) for item in line if isinstance(item, dict) and item.get("tag") in ("text", "a", "md"))
        for line in body if isinstance(line, list)
    ]
    return "\n".join(p for p in [_str(content.get("title")), *lines] if p.strip()).strip()


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


def platform_locale(api_url: str) -> str | None:
    """Without the client's language: Feishu (open.feishu.cn) is China's, Lark (open.larksuite.com)
    the international edition; any other host (a proxy, a test double) says nothing."""
    host = urlsplit(api_url).hostname or ""
    if host == "feishu.cn" or host.endswith(".feishu.cn"):
        return "zh-CN"
    if host == "larksuite.com" or host.endswith(".larksuite.com"):
        return "en"
    return None


def client_locale(user_agent: str) -> str | None:
    """The Feishu client's language from its user agent ('… LarkLocale/en_US …' → 'en'), if ours."""
    found = CLIENT_LOCALE.search(user_agent)
    return normalise_locale(found.group(1)) if found else None


def parse_message(event: dict[str, Any], tenant: str) -> Inbound | None:
    message = _dict(event.get("message"))
    sender = _dict(event.get("sender"))
    user = _str(_dict(sender.get("sender_id")).get("open_id"))
    if not user or sender.get("sender_type") not in (None, "user"):
        return None  # other bots and system senders are not conversations
    chat = user if message.get("chat_type") == "p2p" else _str(message.get("chat_id"))
    if not chat:
        return None
    hint = client_locale(_str(message.get("user_agent")))
    return Inbound(tenant, chat, user, message_event(message), _str(message.get("message_id")), hint)


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
        neutral = FormEvent({str(k)[:100]: form_value(v) for k, v in raw_form.items()}, token=token[:300])
    else:
        neutral = ActionEvent(token[:300])
    label = _str(value.get("l")) or None
    hint = normalise_locale(_str(value.get("g")))
    inbound = Inbound(tenant, chat, user, neutral, _str(context.get("open_message_id")), hint)
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

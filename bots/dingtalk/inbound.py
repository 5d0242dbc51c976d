"""DingTalk robot messages and card clicks → who spoke and one neutral event (pure).

A one-to-one chat is `u:<staffId>` (sent to with oToMessages), a group `g:<conversationId>`
(sent to with groupMessages). Senders without a staff id (people outside the company)
cannot be answered by the robot API and are ignored. A card's cardBizId carries the chat
and the record it shows: `fc1|<chat>|<ref>|<nonce>`.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from bots.feishu.inbound import text_event
from conversations.inbound import ActionEvent, Event, MediaEvent

CARD_PREFIX = "fc1"
REF_CHARS = 40
"""How much of a record reference a cardBizId keeps."""


@dataclass(frozen=True)
class Inbound:
    corp: str
    chat: str
    user: str
    event: Event | None
    message_id: str = ""


@dataclass(frozen=True)
class Click:
    inbound: Inbound
    card_id: str
    ref: str | None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def card_id(chat: str, ref: str | None) -> str:
    return "|".join((CARD_PREFIX, chat, (ref or "")[:REF_CHARS], secrets.token_hex(4)))


def card_parts(value: str) -> tuple[str, str | None] | None:
    """(chat, ref) from a cardBizId we made; None for anything else."""
    parts = value.split("|")
    if len(parts) != 4 or parts[0] != CARD_PREFIX or not parts[1]:
        return None
    return parts[1], parts[2] or None


def robot_event(data: dict[str, Any]) -> Event | None:
    kind = data.get("msgtype")
    content = _dict(data.get("content"))
    if kind == "text":
        return text_event(_str(_dict(data.get("text")).get("content")).strip())
    if kind == "richText":
        runs = [_str(item.get("text")) for item in content.get("richText", []) if isinstance(item, dict)]
        return text_event(" ".join(r for r in runs if r).strip())
    if kind == "picture" and _str(content.get("downloadCode")):
        return MediaEvent("image", f"dingtalk:{content['downloadCode']}"[:500])
    return None


def parse_robot(data: dict[str, Any]) -> Inbound | None:
    """A robot message (HTTP callback body, or the data of a Stream frame)."""
    user = _str(data.get("senderStaffId"))
    corp = _str(data.get("chatbotCorpId")) or _str(data.get("senderCorpId"))
    if not user:
        return None
    if data.get("conversationType") == "2":
        conversation = _str(data.get("conversationId"))
        if not conversation:
            return None
        chat = f"g:{conversation}"
    else:
        chat = f"u:{user}"
    return Inbound(corp, chat, user, robot_event(data), _str(data.get("msgId")))


def parse_card_callback(data: dict[str, Any]) -> Click | None:
    """A button click on a StandardCard: the clicked button's id is our action token."""
    found = card_parts(_str(data.get("outTrackId")))
    user = _str(data.get("userId"))
    try:
        content = _dict(json.loads(_str(data.get("content")) or "{}"))
    except ValueError:
        return None
    private = _dict(content.get("cardPrivateData"))
    ids = private.get("actionIds")
    token = _str(_dict(private.get("params")).get("token")) or (_str(ids[0]) if isinstance(ids, list) and ids else "")
    if found is None or not user or not token:
        return None
    chat, ref = found
    inbound = Inbound(_str(data.get("corpId")), chat, user, ActionEvent(token[:300]))
    return Click(inbound, _str(data.get("outTrackId")), ref)

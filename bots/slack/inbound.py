"""Slack payloads → neutral events (pure functions); what we do not use becomes None.

Slack escapes &, < and > in message text and wraps mentions and links in <…>; the
text that reaches the engine is what the person typed, minus the mention of the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from conversations.inbound import CommandEvent, Event, MediaEvent, TextEvent

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]+)(?:\|([^>]*))?>")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic")
MAX_COMMAND = 40


class BadPayload(ValueError):
    """A request signed by Slack but without the fields its type must have."""


def need(payload: Any, *path: str) -> str:
    """payload[path…] as a non-empty string, or BadPayload."""
    value = payload
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value:
        raise BadPayload("missing " + ".".join(path))
    return value


def unescape(text: str) -> str:
    text = LINK.sub(lambda m: m.group(1).removeprefix("mailto:").removeprefix("tel:"), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_event(text: str) -> CommandEvent:
    """`/crm c hengli` → CommandEvent('c', 'hengli'); a bare `/crm` is help."""
    word, _, rest = unescape(text).strip().partition(" ")
    if not word:
        return CommandEvent("help")
    return CommandEvent(word.lstrip("/").lower()[:MAX_COMMAND] or "help", rest.strip())


def text_event(text: str) -> Event | None:
    """Typed text, with the bot's mention removed; '/checkin'-style text is a command."""
    cleaned = unescape(MENTION.sub("", text)).strip()
    if not cleaned:
        return None
    if cleaned.startswith("/") and len(cleaned) > 1 and not cleaned[1].isspace():
        return command_event(cleaned)
    return TextEvent(cleaned)


def message_event(event: dict[str, Any]) -> Event | None:
    """A direct message → a text or photo event; anything else (bots, edits, files we do not use) → None."""
    if event.get("bot_id") or event.get("bot_profile"):
        return None
    subtype = event.get("subtype")
    if subtype == "file_share":
        return _photo(event)
    if subtype is not None:
        return None
    text = event.get("text")
    return text_event(text) if isinstance(text, str) else None


def _photo(event: dict[str, Any]) -> Event | None:
    files = event.get("files")
    for item in files if isinstance(files, list) else []:
        if isinstance(item, dict) and item.get("mimetype") in IMAGE_TYPES and isinstance(item.get("id"), str):
            caption = unescape(str(event.get("text") or "")).strip() or None
            return MediaEvent("image", f"slack:{item['id']}", caption)
    return None


@dataclass(frozen=True)
class Clicked:
    """One button click (block_actions)."""

    team: str
    user: str
    action_id: str
    value: str
    label: str
    trigger_id: str
    channel: str | None
    """Where the clicked message is (None for the App Home)."""
    message_ts: str | None
    blocks: list[dict[str, Any]]


def clicked(body: dict[str, Any]) -> Clicked:
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise BadPayload("missing actions")
    action = actions[0]
    message = body.get("message") if isinstance(body.get("message"), dict) else None
    container: dict[str, Any] = body["container"] if isinstance(body.get("container"), dict) else {}
    blocks = message.get("blocks") if message else None
    label = action.get("text", {}).get("text", "") if isinstance(action.get("text"), dict) else ""
    return Clicked(
        team=team_of(body), user=need(body, "user", "id"), action_id=need(action, "action_id"),
        value=str(action.get("value") or ""), label=str(label), trigger_id=str(body.get("trigger_id") or ""),
        channel=container.get("channel_id") if message else None,
        message_ts=container.get("message_ts") if message else None,
        blocks=blocks if isinstance(blocks, list) else [],
    )


def team_of(body: dict[str, Any]) -> str:
    for path in (("team_id",), ("team", "id"), ("user", "team_id"), ("view", "team_id")):
        try:
            return need(body, *path)
        except BadPayload:
            continue
    raise BadPayload("missing team")

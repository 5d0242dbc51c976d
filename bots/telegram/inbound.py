"""Telegram updates → neutral events and conversation keys (pure functions over aiogram types).

A reply-keyboard tap arrives as its label's text and becomes the command it stands for. A
location with `live_period` is live sharing; its later positions arrive as edited messages.
Telegram stamps each message with the time it got it, which becomes the position's time, so
that a position sent from a phone that was offline is recorded as late.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bots.telegram.keyboards import keyboard_commands, unmark
from conversations.inbound import (
    ActionEvent,
    Capabilities,
    CommandEvent,
    ConversationKey,
    Event,
    LocationEvent,
    MediaEvent,
    TextEvent,
)

if TYPE_CHECKING:
    from aiogram.types import Chat, InaccessibleMessage, Location, Message, User

PLATFORM = "telegram"
COMMAND = re.compile(r"^/([^\s@]+)(?:@(\S+))?(?:\s+(.*))?$", re.DOTALL)
PRIVATE_CAPS = Capabilities(buttons=20, callback_bytes=64, can_edit=True, native_forms=False, native_location=True)
GROUP_CAPS = Capabilities(buttons=20, callback_bytes=64, can_edit=True, native_forms=False, native_location=False)


def key_of(chat: Chat, user: User) -> ConversationKey:
    return ConversationKey(PLATFORM, "", str(chat.id), str(user.id))


def topic_of(message: Message | InaccessibleMessage) -> int | None:
    """The forum topic a message belongs to (supergroups with topics), so replies stay in it."""
    if getattr(message, "is_topic_message", None):  # an InaccessibleMessage (too old) has no topic
        return getattr(message, "message_thread_id", None)
    return None


def caps_of(chat: Chat) -> Capabilities:
    return PRIVATE_CAPS if chat.type == "private" else GROUP_CAPS


def text_event(text: str, bot_username: str | None) -> Event | None:
    """A command (`/c@OurBot 恒力`), a main-keyboard label, or plain text; None if for another bot."""
    match = COMMAND.match(text.strip()) if text.startswith("/") else None
    if match:
        name, target, args = match.group(1), match.group(2), match.group(3) or ""
        if target and bot_username and target.lower() != bot_username.lower():
            return None
        return CommandEvent(name.lower()[:40], args.strip())
    command = keyboard_commands().get(text.strip())
    if command is not None:
        return CommandEvent(command)
    return TextEvent(text)


def _location(loc: Location, taken_at: datetime, *, update: bool) -> LocationEvent:
    return LocationEvent(
        lat=loc.latitude,
        lon=loc.longitude,
        accuracy_m=loc.horizontal_accuracy,
        live=update or loc.live_period is not None,
        source="pin",
        taken_at=taken_at,
        update_of_live=update,
    )


def message_event(message: Message, bot_username: str | None) -> Event | None:
    """A new message → an event; None for kinds we do not handle (stickers, polls, service messages)."""
    if message.location is not None:
        return _location(message.location, message.date, update=False)
    if message.photo:
        return MediaEvent("image", f"tg:{message.photo[-1].file_id}", message.caption)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return MediaEvent("image", f"tg:{document.file_id}", message.caption)
    if message.text:
        text = message.text if message.chat.type == "private" else without_mention(message.text, bot_username)
        return text_event(text, bot_username)
    return None


def addressed(message: Message, bot_username: str | None) -> bool:
    """Whether a message is for the bot: any in a private chat; in a group, a command, a mention
    of the bot, or an answer to one of its messages (a bot that is a group admin, or has privacy
    mode off, receives everything people say to each other there)."""
    if message.chat.type == "private":
        return True
    text = message.text or message.caption or ""
    if text.startswith("/"):
        return True
    if bot_username and f"@{bot_username}".lower() in text.lower():
        return True
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    return author is not None and author.is_bot and (not bot_username or (author.username or "").lower() == bot_username.lower())


def without_mention(text: str, bot_username: str | None) -> str:
    """"@OurBot 恒力" → "恒力": a mention addresses the bot; it is not part of what was said."""
    if not bot_username:
        return text
    return re.sub(rf"@{re.escape(bot_username)}\b", "", text, flags=re.IGNORECASE).strip() or text


def not_kept(message: Message, bot_username: str | None) -> str | None:
    """The catalog key answering a message we cannot keep (a voice note, a video, a PDF), or None.

    Only where the message is for the bot (see `addressed`): people share files with each other
    in a group, and the bot stays quiet."""
    if not addressed(message, bot_username):
        return None
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return "telegram.voice_not_read"
    if message.video is not None or message.animation is not None:
        return "telegram.video_not_kept"
    if message.document is not None:
        return "telegram.file_not_kept"
    return None


def edited_event(message: Message) -> Event | None:
    """Only a moved live location matters among edits; edited text is not a new turn."""
    if message.location is None:
        return None
    moved_at = datetime.fromtimestamp(message.edit_date, UTC) if message.edit_date else message.date
    return _location(message.location, moved_at, update=True)


def action_event(data: str | None) -> tuple[Event | None, str | None]:
    """A button tap → its event, and the mark of the record the tapped card shows (if a card)."""
    if not data:
        return None, None
    token, mark = unmark(data)
    return ActionEvent(token), mark

"""Rendered calls → the Bot API through aiogram, within the send limits; failures as DeliveryError."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import BufferedInputFile, Message

from bots.base import DeliveryError
from bots.telegram.limits import SendLimits
from bots.telegram.render import Outgoing

log = logging.getLogger(__name__)
METHODS: dict[str, type[TelegramMethod[Any]]] = {
    "sendMessage": SendMessage,
    "sendPhoto": SendPhoto,
    "sendDocument": SendDocument,
    "editMessageText": EditMessageText,
    "editMessageReplyMarkup": EditMessageReplyMarkup,
}
TOAST_LIMIT = 200


def chat_ref(chat_id: int | str) -> int | str:
    """Numeric chat ids go out as numbers; '@channel' names stay text."""
    text = str(chat_id)
    return int(text) if text.lstrip("-").isdigit() else text


class Sender:
    def __init__(self, bot: Bot, limits: SendLimits) -> None:
        self.bot, self.limits = bot, limits

    def method(self, chat_id: int | str, item: Outgoing, message_id: int | None = None) -> TelegramMethod[Any]:
        params: dict[str, Any] = {**item.params, "chat_id": chat_ref(chat_id)}
        if message_id is not None:
            params["message_id"] = message_id
        if item.upload is not None:
            params[item.upload.param] = BufferedInputFile(item.upload.data, filename=item.upload.filename)
        return METHODS[item.method].model_validate(params)

    async def call(self, chat_id: int | str, item: Outgoing, message_id: int | None = None) -> Any:
        method = self.method(chat_id, item, message_id)
        try:
            return await self.limits.send(chat_id, lambda: self.bot(method))
        except (TelegramForbiddenError, TelegramNotFound, TelegramUnauthorizedError, TelegramMigrateToChat) as exc:
            raise DeliveryError(f"{item.method}: {exc.message}", permanent=True) from exc
        except TelegramBadRequest as exc:
            raise DeliveryError(f"{item.method}: {exc.message}", permanent=True) from exc
        except TelegramAPIError as exc:
            raise DeliveryError(f"{item.method}: {exc.message}") from exc

    async def deliver(self, chat_id: int | str, items: Sequence[Outgoing], *, thread_id: int | None = None) -> list[str]:
        """Send in order; the ids of the messages sent, to edit them later. `thread_id`: the forum
        topic the user wrote in (without it, a reply lands in the group's General topic)."""
        ids: list[str] = []
        for item in items:
            if thread_id is not None:
                item = replace(item, params={**item.params, "message_thread_id": thread_id})
            result = await self.call(chat_id, item)
            if isinstance(result, Message):
                ids.append(str(result.message_id))
        return ids

    async def edit(self, chat_id: int | str, message_id: int, item: Outgoing) -> bool:
        """False when the message can no longer be edited (too old, deleted); unchanged counts as done."""
        try:
            await self.call(chat_id, item, message_id)
        except DeliveryError as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return True
            if "can't be edited" in reason or "not found" in reason:
                log.info("Telegram message no longer editable: %s", exc)
                return False
            raise
        return True

    async def strip_buttons(self, chat_id: int | str, message_id: int) -> None:
        """A stale keyboard is taken off its message; if that fails, the toast already said enough."""
        try:
            await self.edit(chat_id, message_id, Outgoing("editMessageReplyMarkup", {}))
        except DeliveryError as exc:
            log.info("could not take the buttons off an old message: %s", exc)

    async def typing(self, chat_id: int | str, thread_id: int | None = None) -> None:
        """"typing…" in the chat's header until the next message or for five seconds. Not a
        message (no limits); a failure only means the user waits without the hint."""
        try:
            await self.bot(SendChatAction(chat_id=chat_ref(chat_id), action="typing", message_thread_id=thread_id))
        except TelegramAPIError as exc:
            log.info("chat action not accepted: %s", exc.message)

    async def answer(self, callback_id: str, toast: str | None = None) -> None:
        """Stop the button's spinner; `toast` shows briefly over the chat. Not a message: no limits."""
        method = AnswerCallbackQuery(callback_query_id=callback_id, text=toast[:TOAST_LIMIT] if toast else None)
        try:
            await self.bot(method)
        except TelegramAPIError as exc:
            log.info("callback answer not accepted (query too old?): %s", exc.message)

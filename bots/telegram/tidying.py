"""Edits after an answer that leave live buttons only where they act on what is shown now:
a dialog's step list once picked, and the older copy of a record shown again."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram.types import Message

from bots.base import DeliveryError
from bots.recent import Recent
from bots.telegram.render import picked
from bots.telegram.sender import Sender

log = logging.getLogger(__name__)

REMEMBERED = 4096
"""(chat, record) pairs a worker remembers; the oldest is forgotten first."""


class LiveCopies:
    """The message each chat was last shown a record in (a card's `Card.ref`), per worker.

    A card shown again (a dealer's stock review after each answer, the 360 looked up twice, a
    ticket after the engineer's arrival) shows the record as it is now. The copy above keeps its
    text, as the chat's history, and loses its buttons, which would act on a state no longer
    shown there. A copy sent by another worker or before a restart is not known here and keeps
    its buttons, as before this existed: its taps still act on the record as it is now."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self._last: Recent[tuple[str, str], int] = Recent(size)

    def shown(self, chat_id: int | str, ref: str, message_id: int) -> int | None:
        """Remember `message_id` as the chat's live copy of `ref`; the copy it replaces, if another."""
        before = self._last.put((str(chat_id), ref), message_id)
        return before if before != message_id else None


class ChatTidying:
    """Run after the answer has gone out, so that the chat's send limit never holds the answer back."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self.copies = LiveCopies()

    async def step_picked(self, message: Message, data: str | None) -> None:
        """A dialog's step, once tapped (its buttons belong to the dialog run, not to a record: a
        customer to check in at, a quote's product, a form's answer), keeps what was picked and
        loses its buttons, as on Slack. Not a card or named list (marked): those change only by
        showing their record again. A second tap already on its way only edits the list again."""
        keyboard = message.reply_markup.inline_keyboard if message.reply_markup else []
        label = next((b.text for row in keyboard for b in row if b.callback_data == data), None)
        try:
            await self.sender.edit(message.chat.id, message.message_id, picked(message.html_text, label))
        except DeliveryError as exc:
            log.info("the pick was not marked on its list: %s", exc)

    async def records_shown(self, chat_id: int | str, shown: Sequence[tuple[str, str]]) -> None:
        """Each record just shown, as (Card.ref, message id): the copy the chat was shown before
        loses its buttons (see LiveCopies)."""
        for ref, message_id in shown:
            older = self.copies.shown(chat_id, ref, int(message_id))
            if older is not None:
                await self.sender.strip_buttons(chat_id, older)

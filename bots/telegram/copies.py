"""One live copy of a record per chat: a card shown again takes the buttons off the copy above it."""

from __future__ import annotations

from collections import OrderedDict

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
        self._last: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._size = size

    def shown(self, chat_id: int | str, ref: str, message_id: int) -> int | None:
        """Remember `message_id` as the chat's live copy of `ref`; the copy it replaces, if another."""
        key = (str(chat_id), ref)
        before = self._last.pop(key, None)
        self._last[key] = message_id
        if len(self._last) > self._size:
            self._last.popitem(last=False)
        return before if before != message_id else None

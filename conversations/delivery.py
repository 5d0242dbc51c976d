"""What a proactive send gives back, and how it fails: shared by adapters and the notifier.

They live here, in the neutral layer, so that `notifications/` can catch an adapter's
failure without importing `bots/` (which re-exports both names).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    """What the platform gave back for a sent message: its ids, to edit the message later."""

    chat_id: str
    message_ids: tuple[str, ...]


class DeliveryError(Exception):
    """A send failed. `permanent`: the chat is gone or blocked us; otherwise retry later."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after
        """Seconds the platform asked us to wait (HTTP 429); honoured before the next try."""

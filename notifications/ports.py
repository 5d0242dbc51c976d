"""What the notifier needs from a chat adapter: its name and a proactive `send`.

Adapters satisfy this structurally; the composition root hands in its adapter registry,
so notifications never import `bots/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from conversations.delivery import Sent
from conversations.messages import Reply


class Sender(Protocol):
    name: str

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        """Push to a chat; raises conversations.delivery.DeliveryError when the platform refuses."""
        ...


class Senders(Protocol):
    """Adapters by platform name (bootstrap's AdapterRegistry)."""

    def get(self, name: str, /) -> Sender | None: ...

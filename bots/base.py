"""The adapter contract: capabilities, proactive send and edit, HTTP routes, lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from fastapi import APIRouter

from conversations.delivery import DeliveryError, Sent
from conversations.inbound import Capabilities
from conversations.messages import Reply

__all__ = ["Adapter", "AdapterRegistry", "Capabilities", "DeliveryError", "Sent"]


class Adapter(Protocol):
    name: str
    caps: Capabilities

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        """Push replies to a chat without being asked (notifications, later results)."""
        ...

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        """Replace a sent message (a decided card loses its buttons)."""
        ...

    def router(self) -> APIRouter | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class AdapterRegistry:
    """Adapters by platform name; notifications look their sender up here."""

    def __init__(self) -> None:
        self._adapters: dict[str, Adapter] = {}

    def add(self, adapter: Adapter) -> None:
        self._adapters[adapter.name] = adapter

    def get(self, name: str) -> Adapter | None:
        return self._adapters.get(name)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._adapters.values())

    def names(self) -> list[str]:
        return list(self._adapters)

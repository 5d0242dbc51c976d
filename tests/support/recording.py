"""A recording chat adapter: keeps every send with its time, and fails on request like a platform would."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from conversations.delivery import DeliveryError, Sent
from conversations.inbound import Capabilities
from conversations.messages import Card, Choices, Reply, Text


@dataclass(frozen=True)
class Record:
    at: float
    """time.monotonic() when the platform received it."""
    chat_id: str
    replies: tuple[Reply, ...]

    @property
    def text(self) -> str:
        parts: list[str] = []
        for r in self.replies:
            if isinstance(r, Text):
                parts.append(r.text)
            elif isinstance(r, Choices):
                parts.append(r.prompt + " " + " ".join(a.label for a in r.options))
            elif isinstance(r, Card):
                parts.append(" ".join([r.title, *(f"{f.label}: {f.value}" for f in r.fields), *(a.label for a in r.actions)]))
        return "\n".join(parts)


@dataclass
class RecordingAdapter:
    name: str = "test"
    caps: Capabilities = field(default_factory=lambda: Capabilities(buttons=12, can_edit=True, native_forms=True))
    sent: list[Record] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    """Chats that refuse for good (the user blocked the bot)."""
    flaky: dict[str, int] = field(default_factory=dict)
    """Chat → how many more sends fail transiently (a 5xx)."""
    throttled: dict[str, float] = field(default_factory=dict)
    """Chat → retry_after of a one-time 429."""

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        if chat_id in self.blocked:
            raise DeliveryError("Forbidden: bot was blocked by the user", permanent=True)
        if self.flaky.get(chat_id, 0) > 0:
            self.flaky[chat_id] -= 1
            raise DeliveryError("Bad Gateway")
        if chat_id in self.throttled:
            raise DeliveryError("Too Many Requests", retry_after=self.throttled.pop(chat_id))
        self.sent.append(Record(time.monotonic(), chat_id, tuple(replies)))
        return Sent(chat_id, (str(len(self.sent)),))

    def to(self, chat_id: str) -> list[Record]:
        return [r for r in self.sent if r.chat_id == chat_id]


class Registry:
    """Adapters by name, as bootstrap's AdapterRegistry offers them to the notifier."""

    def __init__(self, *adapters: object) -> None:
        self._by_name = {a.name: a for a in adapters}  # type: ignore[attr-defined]

    def get(self, name: str) -> object | None:
        return self._by_name.get(name)

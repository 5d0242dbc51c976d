"""Drive whole dialogs through the real engine: turns in, neutral replies out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conversations.engine import Engine
from conversations.inbound import (
    ActionEvent,
    Capabilities,
    CommandEvent,
    ConversationKey,
    Event,
    FormEvent,
    LocationEvent,
    MediaEvent,
    TextEvent,
    Turn,
)
from conversations.messages import Action, AskLocation, Card, Choices, Form, Reply, Text

WEB = Capabilities(buttons=12, can_edit=True, native_forms=True, native_location=True)
PLAIN = Capabilities(buttons=0, native_forms=False)


def actions_of(replies: list[Reply]) -> list[Action]:
    found: list[Action] = []
    for reply in replies:
        if isinstance(reply, Choices):
            found += reply.options
        elif isinstance(reply, Card):
            found += reply.actions
    return found


def text_of(replies: list[Reply]) -> str:
    parts: list[str] = []
    for r in replies:
        if isinstance(r, Text):
            parts.append(r.text)
        elif isinstance(r, Choices):
            parts.append(r.prompt + "\n" + "\n".join(o.label for o in r.options))
        elif isinstance(r, Card):
            parts.append("\n".join([r.title, *(f"{f.label}: {f.value}" for f in r.fields), *(a.label for a in r.actions)]))
        elif isinstance(r, Form):
            parts.append(r.title + "\n" + "\n".join(f"{n}: {m}" for n, m in r.errors))
        elif isinstance(r, AskLocation):
            parts.append(r.prompt)
    return "\n".join(parts)


@dataclass
class Chat:
    engine: Engine
    user: str
    platform: str = "test"
    caps: Capabilities = WEB
    locale_hint: str | None = "en"
    last: list[Reply] = field(default_factory=list)

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(self.platform, "", f"chat-{self.user}", self.user)

    async def send(self, event: Event, at: datetime | None = None) -> list[Reply]:
        turn = Turn(self.key, event, self.caps, self.locale_hint)
        if at is not None:
            turn = Turn(self.key, event, self.caps, self.locale_hint, received_at=at)
        self.last = await self.engine.handle(turn)
        return self.last

    async def say(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return await self.send(CommandEvent(name, args))
        return await self.send(TextEvent(text))

    async def tap(self, label_part: str) -> list[Reply]:
        return await self.send(ActionEvent(self.button(label_part).token or ""))

    def button(self, label_part: str) -> Action:
        for action in actions_of(self.last):
            if label_part in action.label:
                return action
        raise AssertionError(f"no button with {label_part!r} in {[a.label for a in actions_of(self.last)]}")

    async def locate(self, lat: float, lon: float, accuracy: float | None = 10, **kw: Any) -> list[Reply]:
        return await self.send(LocationEvent(lat, lon, accuracy, **kw))

    async def submit(self, **values: Any) -> list[Reply]:
        return await self.send(FormEvent(values))

    async def photo(self, ref: str) -> list[Reply]:
        return await self.send(MediaEvent("image", ref))

    @property
    def text(self) -> str:
        return text_of(self.last)

    def form(self) -> Form:
        forms = [r for r in self.last if isinstance(r, Form)]
        assert forms, f"no form in {self.text!r}"
        return forms[0]

"""Tap old buttons: every button a dialog showed, tapped again after the dialog moved on.

A chat keeps every list and card a dialog showed; a user scrolls up and taps one. Each such tap
must get an answer (done, refused, or "expired"), never the internal error. For each point of a
script, `explore` plays it up to there in a fresh chat of the same user, then taps every button
that chat was shown before its last answer, one after another (at the script's end, the last
answer's too): each tap meets the state the taps before it left, as a user's would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from itertools import count

from conversations.inbound import ActionEvent
from conversations.messages import Action, Reply
from tests.support.chat import Chat, actions_of, text_of

Step = tuple[str, ...]
"""("say", text) | ("tap", label part) | ("locate", lat, lon)"""
NewChat = Callable[[str], Awaitable[Chat]]
Reset = Callable[[], Awaitable[None]]
_chats = count(1)


async def play(chat: Chat, step: Step) -> list[Reply]:
    match step:
        case ("say", text):
            return await chat.say(text)
        case ("tap", label):
            return await chat.tap(label)
        case ("locate", lat, lon):
            return await chat.locate(float(lat), float(lon))
    raise ValueError(f"unknown step {step!r}")


def callbacks(replies: list[Reply]) -> list[Action]:
    return [a for a in actions_of(replies) if a.token]


@dataclass
class StaleTap:
    shown_at: int
    label: str
    tapped_after: int
    answer: str


@dataclass
class Exploration:
    taps: list[StaleTap] = field(default_factory=list)

    def failures(self, internal_errors: Sequence[str]) -> list[StaleTap]:
        """Taps answered with the internal error (in any of its translations), or not at all."""
        return [t for t in self.taps if any(e in t.answer for e in internal_errors) or not t.answer.strip()]


async def explore(new_chat: NewChat, login: str, script: Sequence[Step], reset: Reset) -> Exploration:
    """`reset` runs before each play and puts back the data the script starts from: a play's
    effects (a check-in, a day's stock report) would change what the next one is shown."""
    found = Exploration()
    for after in range(1, len(script) + 1):
        await reset()
        chat = await new_chat(login)
        shown = [callbacks(await play(chat, step)) for step in script[:after]]
        for at, buttons in enumerate(shown[:-1] if after < len(script) else shown):
            for button in buttons:
                answer = await chat.send(ActionEvent(button.token or ""))
                found.taps.append(StaleTap(at, button.label, after, text_of(answer)))
    return found


def fresh_chats(chat_as: Callable[..., Awaitable[Chat]], **kw: object) -> NewChat:
    """A new chat of the same user each time (its own dialog), as a second device would be."""

    async def make(login: str) -> Chat:
        return await chat_as(login, platform=f"stale{next(_chats)}", **kw)

    return make

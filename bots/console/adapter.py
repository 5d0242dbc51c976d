"""Chat with FieldChat in a terminal: `python run.py console --user rep`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence

from fastapi import APIRouter

from bots.base import Capabilities, Sent
from bots.console.render import render
from conversations import local
from conversations.context import Deps
from conversations.engine import Engine
from conversations.inbound import (
    ActionEvent,
    CommandEvent,
    ConversationKey,
    Event,
    LocationEvent,
    MediaEvent,
    TextEvent,
    Turn,
)
from conversations.messages import Reply
from core.services import inbox

PLATFORM = "console"
LOC = re.compile(r"^loc(?:ation)?\s+(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)(?:\s+(\d+(?:\.\d+)?))?$", re.I)


def parse_line(line: str, tokens: dict[int, str]) -> Event:
    """A typed line → an event: a number picks a shown action; 'loc lat,lon'; 'photo <path>'; /command."""
    text = line.strip()
    if text.isdigit() and int(text) in tokens:
        return ActionEvent(tokens[int(text)])
    if m := LOC.match(text):
        acc = float(m.group(3)) if m.group(3) else None
        return LocationEvent(float(m.group(1)), float(m.group(2)), acc, source="manual")
    if text.lower().startswith("photo "):
        return MediaEvent("image", f"file:{text[6:].strip()}")
    if text.startswith("/") and len(text) > 1:
        name, _, args = text[1:].partition(" ")
        return CommandEvent(name.lower(), args.strip())
    return TextEvent(line)


class ConsoleAdapter:
    name = PLATFORM
    caps = Capabilities(buttons=0, can_edit=False, native_forms=False, native_location=False, images=False)

    def __init__(self, engine: Engine, deps: Deps) -> None:
        self.engine, self.deps = engine, deps

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        """Kept in the inbox; the console shows it before its next prompt."""
        async with self.deps.sessionmaker() as session:
            message_id = await inbox.push(session, platform=PLATFORM, chat_id=chat_id, payload=[_plain(r) for r in replies])
            await session.commit()
        return Sent(chat_id, (str(message_id),))

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        await self.send(chat_id, replies)

    def router(self) -> APIRouter | None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def run(self, login: str, *, read: Callable[[str], str] = input, write: Callable[[str], None] = print) -> None:
        key = ConversationKey(PLATFORM, "", login, login)
        who = await local.sign_in(self.deps, key, login)
        locale = who.locale or self.deps.settings.default_locale
        write(f"FieldChat · {who.name} ({who.role}) — /help, /cancel, Ctrl-D to quit")
        tokens: dict[int, str] = {}
        last_seen = await self._latest(login)
        screen = render(await self.engine.handle(Turn(key, CommandEvent("help"), self.caps)), locale)
        while True:
            write(screen.text)
            tokens = screen.tokens or tokens
            last_seen = await self._show_inbox(login, last_seen, write)
            try:
                line = await asyncio.to_thread(read, "> ")
            except (EOFError, KeyboardInterrupt):
                write("")
                return
            if not line.strip():
                screen = render([])
                continue
            replies = await self.engine.handle(Turn(key, parse_line(line, tokens), self.caps))
            screen = render(replies, locale)

    async def _latest(self, chat: str) -> int:
        async with self.deps.sessionmaker() as db:
            return await inbox.latest_id(db, platform=PLATFORM, chat_id=chat)

    async def _show_inbox(self, chat: str, last: int, write: Callable[[str], None]) -> int:
        async with self.deps.sessionmaker() as db:
            rows = await inbox.after(db, platform=PLATFORM, chat_id=chat, after_id=last)
        for row in rows:
            write("🔔 " + "\n".join(str(p) for p in row.payload))
            last = row.id
        return last


def _plain(reply: Reply) -> str:
    return render([reply]).text


"""The Telegram adapter: aiogram's Dispatcher turns updates into turns; replies go out natively.

Webhook mode (with a public URL) or long polling (without); the same dispatcher serves both,
and every turn carries its update_id so that the engine handles a redelivery once. A webhook request is acknowledged
once its turn is committed, or after ACK_WITHIN_S if that takes longer; the turn runs in a task
(at most MAX_IN_FLIGHT at once, then the webhook waits, which slows Telegram down instead of
piling up work).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import (
    CallbackQuery,
    Chat,
    Message,
    Update,
    User,
)
from fastapi import APIRouter

from bots.base import DeliveryError, Sent
from bots.fallback import page_buttons
from bots.telegram.commands import CommandMenus
from bots.telegram.dedupe import forget_old, source_of
from bots.telegram.inbound import (
    PRIVATE_CAPS,
    action_event,
    addressed,
    caps_of,
    edited_event,
    key_of,
    message_event,
    not_kept,
    topic_of,
)
from bots.telegram.keyboards import card_mark
from bots.telegram.limits import SendLimits
from bots.telegram.render import Outgoing, View, expired_notice, keyboard_anchor, render, render_edit
from bots.telegram.sender import Sender
from bots.telegram.tidying import ChatTidying
from bots.telegram.webhook import HANDLED, webhook_router
from conversations.context import Deps
from conversations.engine import Engine
from conversations.i18n import translate
from conversations.inbound import ActionEvent, Event, Turn
from conversations.messages import AskLocation, Card, Choices, Reply, Text
from conversations.profile import locale_of, menu_of

log = logging.getLogger(__name__)
PLATFORM = "telegram"
MAX_IN_FLIGHT = 256
POLL_TIMEOUT_S = 25
RECONNECT_S = (5, 15, 60, 300)
SWEEP_EVERY_S = 6 * 3600
DB_TURNS_AT_ONCE = 12
"""Updates using the database at once (PostgreSQL; SQLite: one). A turn may hold two pooled
connections (its unit of work and the search index's reader), so this keeps the pool (30)
from running dry; on SQLite, whose every transaction takes the single write lock, queueing here
hands the lock over at once instead of through the driver's busy-wait sleeps."""
FIRST_SWEEP_S = 60
ACK_WITHIN_S = 0.01
"""How long a webhook answer waits for its turn to be committed. A turn takes a few milliseconds,
so a server that is not saturated answers after the commit. A saturated one still answers in
time (each open answer holds one of Telegram's max_connections) and the turn goes on in the
background."""
TYPING_SENT_WITHIN_S = 2.0
"""How long a slow turn's answer waits for its "typing…" hint to reach Telegram before going out anyway."""


Committed = asyncio.Future[None] | None
"""Resolved once the update's turn is committed; the webhook answer waits for it (polling: None)."""


def _settle(committed: Committed) -> None:
    if committed is not None and not committed.done():
        committed.set_result(None)


def _shown(items: Sequence[Outgoing], ids: Sequence[str]) -> list[tuple[str, str]]:
    """(Card.ref, message id) of each card just sent; none unless each send gave back its message."""
    if len(ids) != len(items):
        return []
    return [(item.ref, message_id) for item, message_id in zip(items, ids, strict=True) if item.ref]


def same_record(mark: str | None, replies: list[Reply]) -> Reply | None:
    """The reply that shows the tapped card's own record (or named list), changed (see `card_mark`)."""
    if mark is None:
        return None
    return next((r for r in replies if isinstance(r, Card | Choices) and r.ref is not None and card_mark(r.ref) == mark), None)


class TelegramAdapter:
    name = PLATFORM
    caps = PRIVATE_CAPS

    def __init__(
        self, engine: Engine, deps: Deps, *, token: str, secret: str, api_url: str | None,
        webhook_url: str | None, limits: SendLimits,
    ) -> None:
        self.engine, self.deps, self.secret, self.webhook_url = engine, deps, secret, webhook_url
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
        self.bot = Bot(token, session=session)
        self.dp = Dispatcher(events_isolation=SimpleEventIsolation())
        self._db_turns = asyncio.Semaphore(1 if deps.settings.is_sqlite else DB_TURNS_AT_ONCE)
        self.source = source_of(self.bot.id)
        self.dp.message.register(self._on_message)
        self.dp.edited_message.register(self._on_edited)
        self.dp.callback_query.register(self._on_callback)
        self.sender = Sender(self.bot, limits)
        self.username: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._polling: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.menus = CommandMenus(self.bot)
        self.tidying = ChatTidying(self.sender)

    # -- contract -------------------------------------------------------------
    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        items = list(replies)
        view = await self._view(int(chat_id), items, user_id=chat_id, hint=None)
        out = render(page_buttons(items, self.caps), view)
        ids = await self.sender.deliver(chat_id, out)
        await self.tidying.records_shown(chat_id, _shown(out, ids))
        return Sent(chat_id, tuple(ids))

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        """The first reply replaces the message (its buttons too: none means they disappear)."""
        items = list(replies)
        view = await self._view(int(chat_id), items, user_id=chat_id, hint=None)
        await self._replace(chat_id, int(message_id), items, view)

    async def _replace(self, chat_id: int | str, message_id: int, replies: list[Reply], view: View, topic: int | None = None) -> None:
        first, rest = render_edit(replies, view)
        if not await self.sender.edit(chat_id, message_id, first) and first.method == "editMessageText":
            rest = [Outgoing("sendMessage", first.params), *rest]
        if rest:
            await self.sender.deliver(chat_id, rest, thread_id=topic)

    def router(self) -> APIRouter:
        return webhook_router(self)

    async def start(self) -> None:
        if not await self._connect():
            self._spawn(self._reconnect())
        self._spawn(self._sweep())

    async def stop(self) -> None:
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):
                await self.dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        self._stopping.set()
        await self.drain(loops=True)
        await self.bot.session.close()

    # -- lifecycle ------------------------------------------------------------
    async def _connect(self) -> bool:
        """Learn our username, publish the command menu, and set the webhook or start polling."""
        try:
            self.username = (await self.bot.me()).username
            await self.menus.publish_defaults()
            if self.webhook_url:
                await self.bot.set_webhook(self.webhook_url, secret_token=self.secret, allowed_updates=list(HANDLED))
                log.info("Telegram webhook set for @%s", self.username)
            else:
                await self.bot.delete_webhook()
                self._polling = asyncio.create_task(self._poll(), name="telegram-polling")
                log.info("Telegram long polling for @%s", self.username)
            return True
        except TelegramAPIError as exc:
            log.error("Telegram is not reachable or refused the token: %s", exc.message)
            return False

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless the adapter stops first (then False), so that loops end between steps."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return True
        return False

    async def _reconnect(self) -> None:
        attempt = 0
        while await self._pause(RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)]):
            if await self._connect():
                return
            attempt += 1

    async def _poll(self) -> None:
        await self.dp.start_polling(
            self.bot, polling_timeout=POLL_TIMEOUT_S, allowed_updates=list(HANDLED),
            handle_signals=False, close_bot_session=False,
        )

    async def _sweep(self) -> None:
        wait = FIRST_SWEEP_S
        while await self._pause(wait):
            wait = SWEEP_EVERY_S
            try:
                gone = await forget_old(self.deps.sessionmaker, self.source)
                log.debug("forgot %d old Telegram update ids", gone)
            except Exception:  # the next sweep retries; de-duplication still works meanwhile
                log.exception("pruning processed Telegram updates failed")

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro, name=f"telegram-loop-{len(self._tasks)}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- webhook updates ------------------------------------------------------
    async def schedule(self, update: Update) -> None:
        """Handle an update in the background; waits when MAX_IN_FLIGHT are already running.

        Returns once the turn is committed, or after ACK_WITHIN_S: a webhook answered only after
        the commit leaves no window in which a crash loses an acknowledged update (Telegram
        redelivers what was not answered, and the engine drops what it already did)."""
        await self._slots.acquire()
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._feed(update, committed), name=f"telegram-update-{update.update_id}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(committed), ACK_WITHIN_S)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()

    async def _feed(self, update: Update, committed: asyncio.Future[None] | None = None) -> None:
        try:
            await self.dp.feed_update(self.bot, update, committed=committed)
        except Exception:  # one bad update must not stop the others; the user sees no trace
            log.exception("Telegram update %s failed", update.update_id)
        finally:
            _settle(committed)

    async def drain(self, *, loops: bool = False) -> None:
        """Wait for the updates being handled (tests, shutdown); with `loops`, for the background loops too."""
        while busy := [t for t in self._tasks if loops or not t.get_name().startswith("telegram-loop")]:
            await asyncio.gather(*busy, return_exceptions=True)

    # -- handlers -------------------------------------------------------------
    async def _on_message(self, message: Message, event_update: Update, committed: Committed = None) -> None:
        if message.from_user is not None:
            event = message_event(message, self.username)
            unkept = not_kept(message, self.username) if event is None else None
            if unkept is not None:
                _settle(committed)
                await self._not_kept(message, message.from_user, unkept)
                return
            await self._turn(
                message.chat, message.from_user, event, event_update.update_id, topic_of(message), committed,
                addressed=addressed(message, self.username), asker=message.message_id,
            )

    async def _on_edited(self, message: Message, event_update: Update, committed: Committed = None) -> None:
        if message.from_user is not None:
            await self._turn(message.chat, message.from_user, edited_event(message), event_update.update_id, topic_of(message), committed)

    async def _on_callback(self, query: CallbackQuery, event_update: Update, committed: Committed = None) -> None:
        (event, mark), message = action_event(query.data), query.message
        if event is None or message is None:
            await self.sender.answer(query.id)
            return
        replies = await self._handle(message.chat, query.from_user, event, event_update.update_id, committed, topic=topic_of(message))
        notice = expired_notice(replies)
        await self.sender.answer(query.id, notice)
        if notice is not None:
            await self.sender.strip_buttons(message.chat.id, message.message_id)
        elif (same := same_record(mark, replies)) is not None:
            # The tapped card's own record, changed (approved, taken on): the card is edited in place,
            # so its old buttons disappear instead of lingering above a second copy; the rest is sent.
            replies = page_buttons([same, *(r for r in replies if r is not same)], caps_of(message.chat))
            view = await self._view(message.chat.id, replies, user_id=str(query.from_user.id), hint=query.from_user.language_code)
            try:
                await self._replace(message.chat.id, message.message_id, replies, view, topic_of(message))
            except DeliveryError as exc:
                log.warning("reply to a Telegram chat not delivered: %s", exc)
        else:
            await self._reply(message.chat, query.from_user, replies, topic_of(message))
            if mark is None and isinstance(message, Message) and isinstance(event, ActionEvent) and not self.deps.codec.stateless(event.token):
                await self.tidying.step_picked(message, query.data)

    async def _turn(
        self, chat: Chat, user: User, event: Event | None, update_id: int, topic: int | None, committed: Committed = None,
        *, addressed: bool = True, asker: int | None = None,
    ) -> None:
        """`asker`: the user's message being answered (a question in a group replies to it)."""
        if event is not None:
            replies = await self._handle(chat, user, event, update_id, committed, addressed=addressed, topic=topic)
            await self._reply(chat, user, replies, topic, asker=asker)

    async def _handle(
        self, chat: Chat, user: User, event: Event, update_id: int, committed: Committed = None, *, addressed: bool = True,
        topic: int | None = None,
    ) -> list[Reply]:
        turn = Turn(
            key_of(chat, user), event, caps_of(chat), locale_hint=user.language_code,
            event_id=(self.source, str(update_id)), addressed=addressed,
        )
        try:
            async with self._typing_when_slow(chat.id, topic), self._db_turns:
                return await self.engine.handle(turn)
        finally:
            _settle(committed)  # the webhook may answer now: the turn is stored (or failed and rolled back)

    @contextlib.asynccontextmanager
    async def _typing_when_slow(self, chat_id: int, topic: int | None) -> AsyncIterator[None]:
        """"typing…" in the chat once a turn has taken longer than telegram_typing_after_s: a
        timer, so that the quick turns (nearly all) cost no call and no task. The answer waits for
        the hint to be sent, or the hint could land after it and linger under the answer."""
        started: list[asyncio.Task[None]] = []

        def start() -> None:
            task = asyncio.create_task(self.sender.typing(chat_id, topic), name="telegram-typing")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started.append(task)

        timer = asyncio.get_running_loop().call_later(self.deps.settings.telegram_typing_after_s, start)
        try:
            yield
        finally:
            timer.cancel()
            if started:
                await asyncio.wait(started, timeout=TYPING_SENT_WITHIN_S)

    async def _reply(self, chat: Chat, user: User, replies: list[Reply], topic: int | None = None, *, asker: int | None = None) -> None:
        if not replies:
            return
        replies = page_buttons(replies, caps_of(chat))
        view = await self._view(chat.id, replies, user_id=str(user.id), hint=user.language_code, asker=asker)
        items = render(replies, view)
        try:
            ids = await self.sender.deliver(chat.id, items, thread_id=topic)
        except DeliveryError as exc:
            log.warning("reply to a Telegram chat not delivered: %s", exc)
        else:
            if shown := _shown(items, ids):
                await self.engine.cards_shown(key_of(chat, user), shown)
                await self.tidying.records_shown(chat.id, shown)
        anchor = keyboard_anchor(replies) if view.private else None
        if anchor is not None and anchor.offered:
            await self.menus.offer(chat.id, anchor.locale, anchor.offered)

    async def _view(self, chat_id: int, replies: Sequence[Reply], *, user_id: str, hint: str | None, asker: int | None = None) -> View:
        """Look the user up only when the adapter writes words and buttons of its own (a location
        request: its prompt keyboard is the user's main keyboard, in their language and for their role)."""
        locale: str = self.deps.settings.default_locale
        offered: tuple[str, ...] = ()
        if any(isinstance(r, AskLocation) for r in replies):
            async with self._db_turns:
                locale, offered = await menu_of(self.deps, platform=PLATFORM, user=user_id, fallback=hint)
        return View(private=chat_id > 0, locale=locale, bot_username=self.username, offered=offered, asker_message=asker)

    async def _locale(self, user_id: str, hint: str | None) -> str:
        """The language the user picked, else their Telegram app's, else the deployment's."""
        async with self._db_turns:
            return await locale_of(self.deps, platform=PLATFORM, user=user_id, fallback=hint)

    async def _not_kept(self, message: Message, user: User, key: str) -> None:
        """A voice note, video or PDF sent to the bot: nothing keeps it, so say what to send instead
        of staying silent (the rep would otherwise believe it was logged)."""
        text = translate(await self._locale(str(user.id), user.language_code), key)
        try:
            await self.sender.deliver(message.chat.id, render([Text(text)], View()), thread_id=topic_of(message))
        except DeliveryError as exc:
            log.warning("reply to a Telegram chat not delivered: %s", exc)

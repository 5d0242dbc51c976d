"""Telegram's "/" command menus: everyone's default list in each language, and a private chat's
own list, its user's role's commands in their language."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bots.recent import Recent
from bots.telegram.keyboards import TELEGRAM_LANGUAGE, bot_commands
from conversations.i18n import LOCALES

log = logging.getLogger(__name__)
MENUS_REMEMBERED = 50_000
"""Chats whose command menu this worker has set (so /menu does not set it again and again)."""


def _commands(locale: str, offered: tuple[str, ...] = ()) -> list[BotCommand]:
    return [BotCommand(command=c["command"], description=c["description"]) for c in bot_commands(locale, offered)]


class CommandMenus:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._set: Recent[tuple[int, str, tuple[str, ...]], bool] = Recent(MENUS_REMEMBERED)

    async def publish_defaults(self) -> None:
        """The default list in every language (at start; raises TelegramAPIError when refused)."""
        for locale in LOCALES:
            await self.bot.set_my_commands(_commands(locale), BotCommandScopeDefault(), language_code=TELEGRAM_LANGUAGE[locale])

    async def offer(self, chat_id: int, locale: str, offered: tuple[str, ...]) -> None:
        """The "/" menu of this private chat lists the user's role's commands in their language,
        set whenever their main menu is shown (binding, /menu, /lang); once per worker and menu."""
        key = (chat_id, locale, offered)
        if key in self._set:
            return
        try:
            await self.bot.set_my_commands(_commands(locale, offered), BotCommandScopeChat(chat_id=chat_id))
        except TelegramAPIError as exc:  # the default list still works; the next menu tries again
            log.info("the chat's command menu was not set: %s", exc.message)
            return
        self._set.put(key, True)

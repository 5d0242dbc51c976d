"""Telegram's native menus: the persistent main keyboard, inline keyboards, and the bot command list.

Pure functions over the message catalogs; the labels of the main keyboard are mapped back to
commands, since a reply-keyboard tap reaches us as plain text.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from conversations.flows.menu import MENUS
from conversations.i18n import LOCALES, translate
from conversations.messages import Action

CALLBACK_BYTES = 64
KEYBOARD_TEXT_COMMANDS = ("checkin", "visit", "lead", "c", "agenda", "pool", "lang", "bindcode", "approvals", "report", "tickets")
"""Menu labels that, typed or tapped as text, mean the command (menu.<command> in the catalogs)."""
BOT_COMMANDS = ("checkin", "visit", "lead", "c", "agenda", "pool", "lang", "help", "cancel")
"""The bot menu (set_my_commands); each has telegram.cmd.<command> in the catalogs."""
TELEGRAM_LANGUAGE = {"zh-CN": "zh", "en": None}
"""Our locale → the language_code of set_my_commands (None: the default list)."""
SHORT_LABEL = 16
"""Display columns (see `_width`) a label may take and still share its row: half a phone's width."""
STYLES = {"primary": "primary", "danger": "danger"}


def _width(text: str) -> int:
    """Display width: CJK characters and emoji take two columns on a phone keyboard."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" or ord(ch) > 0xFFFF else 1 for ch in text)


CARD_MARK = "~"
MARK_CHARS = 4


def card_mark(ref: str) -> str:
    """A 4-character digest of the record a card shows (Card.ref).

    Each button of a card carries it after its token, so a tap says which record the tapped
    card shows. Any worker, even after a restart, can then edit that card in place when the
    answer is the same record changed. Telegram keeps no other data on a message."""
    return base64.urlsafe_b64encode(hashlib.blake2s(ref.encode(), digest_size=3).digest()).decode()


def unmark(data: str) -> tuple[str, str | None]:
    """Callback data → (the action token, the tapped card's mark or None). A token never has the
    mark character where the mark starts: it ends in '.' and a base64url signature."""
    cut = len(data) - MARK_CHARS - 1
    if cut > 0 and data[cut] == CARD_MARK:
        return data[:cut], data[cut + 1 :]
    return data, None


def button(action: Action, mark: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"text": action.label}
    if action.token is not None:
        if len(action.token.encode()) > CALLBACK_BYTES:
            raise ValueError(f"callback data over {CALLBACK_BYTES} bytes: {action.token!r}")
        data = f"{action.token}{CARD_MARK}{mark}" if mark else action.token
        out["callback_data"] = data if len(data.encode()) <= CALLBACK_BYTES else action.token
    else:
        out["url"] = action.url
    if action.style in STYLES:
        out["style"] = STYLES[action.style]
    return out


def _rows(actions: Sequence[Action]) -> list[list[int]]:
    """Two short labels side by side, a long one (a customer's name) on a row of its own, in
    order: a menu stays a few rows tall on a phone even when one label runs long."""
    rows: list[list[int]] = []
    for i, action in enumerate(actions):
        if _width(action.label) <= SHORT_LABEL and rows and len(rows[-1]) == 1 and _width(actions[rows[-1][0]].label) <= SHORT_LABEL:
            rows[-1].append(i)
        else:
            rows.append([i])
    return rows


def inline_keyboard(actions: Sequence[Action], ref: str | None = None) -> dict[str, Any] | None:
    """The actions as inline buttons (see `_rows`); `ref`: the record the card shows, marked on
    every button (see `card_mark`)."""
    if not actions:
        return None
    mark = card_mark(ref) if ref else None
    buttons = [button(a, mark) for a in actions]
    return {"inline_keyboard": [[buttons[i] for i in row] for row in _rows(actions)]}


EVERYDAY = ("approvals", "report", "tickets", "lead", "c", "agenda")
"""Main-keyboard candidates, most urgent first: a manager's approvals, a dealer's stock report
and an engineer's tickets come before the lookups everyone has."""
EVERYDAY_KEYS = 4


def main_keyboard(locale: str, offered: Sequence[str] = (), *, share_location: bool = False) -> dict[str, Any]:
    """The persistent keyboard of private chats: the everyday actions among the menu `offered`
    (its labels; empty: a rep's), two a row, then the menu; with check-in (or `share_location`,
    when a location is asked for), a first button that shares the location."""
    offered_set = set(offered) or {translate(locale, f"menu.{c}") for c in ("checkin", "lead", "c", "agenda")}
    labels = [label for c in EVERYDAY if (label := translate(locale, f"menu.{c}")) in offered_set][:EVERYDAY_KEYS]
    labels.append(translate(locale, "telegram.kb_menu"))
    rows: list[list[dict[str, Any]]] = [[{"text": label} for label in labels[i : i + 2]] for i in range(0, len(labels), 2)]
    if share_location or translate(locale, "menu.checkin") in offered_set:
        rows.insert(0, [{"text": translate(locale, "telegram.kb_location"), "request_location": True}])
    return {"keyboard": rows, "is_persistent": True, "resize_keyboard": True}


@lru_cache(maxsize=1)
def keyboard_commands() -> dict[str, str]:
    """Label text (either language) → command, for taps on the main keyboard or typed menu labels."""
    out: dict[str, str] = {}
    for locale in LOCALES:
        for command in KEYBOARD_TEXT_COMMANDS:
            out[translate(locale, f"menu.{command}")] = command
        out[translate(locale, "telegram.kb_menu")] = "menu"
        out[translate(locale, "telegram.kb_location")] = "checkin"
    return out


ALWAYS_LISTED = ("help", "cancel")


@lru_cache(maxsize=1)
def _menu_commands() -> dict[str, str]:
    """A main-menu label (either language) → its command: each menu item is a command."""
    return {translate(loc, f"menu.{cmd}"): cmd for loc in LOCALES for items in MENUS.values() for cmd in items}


def bot_commands(locale: str, offered: Sequence[str] = ()) -> list[dict[str, str]]:
    """The bot menu (the "/" button): everyone's default list, or, from the labels of a user's
    main menu (`offered`), that role's own commands in menu order, then help and cancel."""
    commands: Sequence[str] = BOT_COMMANDS
    if offered:
        found = [cmd for label in offered if (cmd := _menu_commands().get(label))]
        commands = [*dict.fromkeys(found), *ALWAYS_LISTED]
    return [{"command": c, "description": translate(locale, f"telegram.cmd.{c}")} for c in commands]

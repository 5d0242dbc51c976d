"""Neutral replies → Telegram Bot API calls (pure functions; golden-tested in tests/contract).

Text goes out in HTML parse mode with user text escaped, split at Telegram's 4096-character
limit on the visible text (see `markup`). Buttons become inline keyboards; in private chats a
location request and the main menu become the persistent reply keyboard, whose first button
shares the location. Groups cannot ask for a location, so they get a link instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from bots.telegram.keyboards import inline_keyboard, main_keyboard
from bots.telegram.markup import CAPTION_LIMIT, MESSAGE_LIMIT, Run, plain, split, to_html, utf16_len
from conversations.flows.menu import MENUS
from conversations.i18n import LOCALES, colon, labelled, translate
from conversations.messages import Action, AskLocation, Card, Choices, Form, Media, Reply, Text

log = logging.getLogger(__name__)
PHOTO_MAX_BYTES = 10 * 1024 * 1024
NO_PREVIEW = {"is_disabled": True}


FORCE_REPLY = {"force_reply": True, "selective": True}
"""Opens the reply box of the users the message mentions or replies to, no one else's."""


@dataclass(frozen=True)
class View:
    """What the rendering depends on besides the replies."""

    private: bool = True
    """A private chat: reply keyboards with request_location work there only."""
    locale: str = "en"
    """For the adapter's own labels (main keyboard, location hints)."""
    bot_username: str | None = None
    """For a link to the private chat with the bot, from groups."""
    offered: tuple[str, ...] = ()
    """The labels of the user's main menu, when a reply re-sends the main keyboard (location asks)."""
    asker_message: int | None = None
    """In a group, the message of the user being answered: a question (`Text.awaits_answer`) replies
    to it and opens that user's reply box, because with privacy mode on (the default) the bot sees
    only replies to it there; the others in the group are not prompted."""


@dataclass(frozen=True)
class Upload:
    param: str
    """The method's file parameter: photo or document."""
    filename: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call without its chat_id (and message_id for edits), which the sender adds."""

    method: str
    params: dict[str, Any]
    upload: Upload | None = None
    ref: str | None = field(default=None, compare=False)
    """The record a card's message shows (Card.ref): reported once sent, so that the engine can
    remember where an approval card went."""


@lru_cache(maxsize=1)
def _menu_prompts() -> dict[str, str]:
    return {translate(loc, "menu.prompt"): loc for loc in LOCALES}


@lru_cache(maxsize=1)
def _menu_item_labels() -> frozenset[str]:
    return frozenset(translate(loc, f"menu.{cmd}") for loc in LOCALES for items in MENUS.values() for cmd in items)


def _is_main_menu(reply: Reply) -> bool:
    """The main menu: its prompt, and nothing but main-menu actions (another list may ask "What
    would you like to do?" too; taking it for the menu would rebuild the keyboard from its buttons)."""
    return (
        isinstance(reply, Choices) and reply.prompt in _menu_prompts() and bool(reply.options)
        and all(o.label in _menu_item_labels() for o in reply.options)
    )


@lru_cache(maxsize=1)
def _language_switched() -> dict[str, str]:
    return {translate(loc, "lang.done"): loc for loc in LOCALES}


@lru_cache(maxsize=1)
def _expired_texts() -> frozenset[str]:
    return frozenset(translate(loc, "error.action_expired") for loc in LOCALES)


def expired_notice(replies: Sequence[Reply]) -> str | None:
    """The engine's "this has expired" answer to a stale button, shown as a callback toast instead."""
    if len(replies) == 1 and isinstance(replies[0], Text) and replies[0].text in _expired_texts():
        return replies[0].text
    return None


@dataclass(frozen=True)
class Anchor:
    """Where the main keyboard goes: the Text at `index` carries it, in `locale`, built from the
    labels the user's main menu `offered` (their role's actions)."""

    index: int
    locale: str
    offered: tuple[str, ...] = ()


def keyboard_anchor(replies: Sequence[Reply]) -> Anchor | None:
    """Where the main keyboard is (re)sent, or None: with the main menu and after a language
    switch, the moments its labels appear or change. The menu's own buttons sit on the message
    after that Text."""
    menu = next((r for r in replies if isinstance(r, Choices) and _is_main_menu(r)), None)
    offered = tuple(o.label for o in menu.options) if menu else ()
    last_text: int | None = None
    for i, reply in enumerate(replies):
        if isinstance(reply, Text):
            last_text = i
            if reply.text in _language_switched():
                return Anchor(i, _language_switched()[reply.text], offered)
        elif reply is menu and last_text is not None:
            return Anchor(last_text, _menu_prompts()[menu.prompt], offered)
    return None


def render(replies: Sequence[Reply], view: View) -> list[Outgoing]:
    anchor = keyboard_anchor(replies) if view.private else None
    out: list[Outgoing] = []
    footnote: int | None = None
    for i, reply in enumerate(replies):
        if i == footnote:
            continue
        if anchor is not None and i == anchor.index:
            assert isinstance(reply, Text)
            out += messages([Run(reply.text)], main_keyboard(anchor.locale, anchor.offered))
        elif isinstance(reply, Card) and _is_footnote(replies, i + 1, anchor):
            note = replies[i + 1]
            assert isinstance(note, Text)
            out += marked_messages([*card_runs(reply), Run("\n\n"), Run(note.text)], reply.actions, reply.ref)
            footnote = i + 1
        else:
            out += render_one(reply, view)
    return out


def _is_footnote(replies: Sequence[Reply], i: int, anchor: Anchor | None) -> bool:
    """A Text right after a card (a hint, the matches you may not open) goes under the card, in the
    same message: one notification on the phone instead of two, and the card's buttons stay last."""
    return i < len(replies) and isinstance(replies[i], Text) and (anchor is None or anchor.index != i)


def render_one(reply: Reply, view: View) -> list[Outgoing]:
    match reply:
        case Text(text=text, awaits_answer=True) if not view.private and view.asker_message is not None:
            *before, last = messages([Run(text)], FORCE_REPLY)
            reply_to = {"message_id": view.asker_message, "allow_sending_without_reply": True}
            return [*before, replace(last, params={**last.params, "reply_parameters": reply_to})]
        case Text(text=text):
            return messages([Run(text)])
        case Choices(prompt=prompt, options=options, ref=ref):
            return marked_messages([Run(prompt or "…")], options, ref)
        case Card():
            return marked_messages(card_runs(reply), reply.actions, reply.ref)
        case Form():
            log.info("form %r shown as text on Telegram (no native forms)", reply.title)
            links = [reply.submit] if reply.submit.url else []
            return messages(form_runs(reply, view.locale), inline_keyboard(links))
        case AskLocation():
            return ask_location(reply, view)
        case Media():
            return media(reply)
    raise TypeError(f"not a reply: {reply!r}")


def messages(runs: list[Run], markup: dict[str, Any] | None = None) -> list[Outgoing]:
    """sendMessage calls for one piece of text; the keyboard goes with the last part."""
    return _sends(split(runs) or [[Run("…")]], markup)


def marked_messages(runs: list[Run], actions: Sequence[Action], ref: str | None) -> list[Outgoing]:
    """A card's (or a named list's) message, its buttons marked with what it shows, so that a tap
    answered by the same record edits it in place; a text split over several messages is not
    edited whole, so its buttons carry no mark."""
    chunks = split(runs) or [[Run("…")]]
    if len(chunks) > 1 or ref is None:
        return _sends(chunks, inline_keyboard(actions))
    (sent,) = _sends(chunks, inline_keyboard(actions, ref))
    return [replace(sent, ref=ref)]


def _sends(chunks: list[list[Run]], markup: dict[str, Any] | None) -> list[Outgoing]:
    out = []
    for n, chunk in enumerate(chunks, 1):
        params: dict[str, Any] = {"text": to_html(chunk), "parse_mode": "HTML", "link_preview_options": NO_PREVIEW}
        if markup is not None and n == len(chunks):
            params["reply_markup"] = markup
        out.append(Outgoing("sendMessage", params))
    return out


def card_runs(card: Card) -> list[Run]:
    runs = [Run(card.title, "b")]
    if card.subtitle:
        runs += [Run("\n"), Run(card.subtitle, "i")]
    if card.fields:
        runs.append(Run("\n"))
    for item in card.fields:
        mark = colon(item.label)  # "：" after a Chinese label, ": " otherwise
        separator = "\n" if "\n" in item.value else mark[1:]
        runs += [Run("\n"), Run(f"{item.label}{mark[0]}", "b"), Run(f"{separator}{item.value}")]
    return runs


def form_runs(form: Form, locale: str) -> list[Run]:
    """A form reaching Telegram whole (the engine asks forms step by step) is listed, not filled in."""
    runs = [Run(form.title, "b")]
    optional = translate(locale, "form.optional")
    for item in form.fields:
        runs.append(Run(f"\n• {item.label}{'' if item.required else optional}"))
    labels = {f.name: f.label for f in form.fields}
    for name, message in form.errors:
        runs += [Run("\n"), Run(labelled(labels.get(name, name), message), "i")]
    return runs


def ask_location(reply: AskLocation, view: View) -> list[Outgoing]:
    if view.private:
        return messages([Run(reply.prompt)], main_keyboard(view.locale, view.offered, share_location=True))
    if reply.web_url:
        link = Action(translate(view.locale, "telegram.location_page"), url=reply.web_url)
        return messages([Run(reply.prompt)], inline_keyboard([link]))
    log.info("location asked in a group without a web page: pointing to the private chat")
    runs = [Run(reply.prompt), Run("\n" + translate(view.locale, "telegram.location_private"))]
    links = []
    if view.bot_username:
        links.append(Action(translate(view.locale, "telegram.open_private"), url=f"https://t.me/{view.bot_username}"))
    return messages(runs, inline_keyboard(links))


def media(reply: Media) -> list[Outgoing]:
    as_photo = reply.kind == "image" and len(reply.data) <= PHOTO_MAX_BYTES
    name = "photo" if as_photo else "document"
    params: dict[str, Any] = {}
    rest: list[Outgoing] = []
    if reply.caption:
        if utf16_len(reply.caption) <= CAPTION_LIMIT:
            params = {"caption": to_html([Run(reply.caption)]), "parse_mode": "HTML"}
        else:
            rest = messages([Run(reply.caption)])
    method = "sendPhoto" if as_photo else "sendDocument"
    return [Outgoing(method, params, Upload(name, reply.filename, reply.mime, reply.data)), *rest]


def render_edit(replies: Sequence[Reply], view: View) -> tuple[Outgoing, list[Outgoing]]:
    """Replace a sent message with the first reply, buttons included (none: they disappear).

    Returns the edit call and what has to go out as new messages (the rest, or a reply that a
    text message cannot become, such as a photo).
    """
    first = replies[0] if replies else None
    runs: list[Run] | None = None
    actions: Sequence[Action] = ()
    ref: str | None = None
    match first:
        case Text(text=text):
            runs = [Run(text)]
        case Choices(prompt=prompt, options=options, ref=ref):
            runs, actions = [Run(prompt or "…")], options
        case Card():
            runs, actions, ref = card_runs(first), first.actions, first.ref
    if runs is None:
        return Outgoing("editMessageReplyMarkup", {}), render(replies, view)
    chunks = split(runs, MESSAGE_LIMIT - 1)
    text = to_html(chunks[0]) + ("…" if len(chunks) > 1 else "") if chunks else "…"
    params: dict[str, Any] = {"text": text, "parse_mode": "HTML", "link_preview_options": NO_PREVIEW}
    markup = inline_keyboard(actions, ref if len(chunks) <= 1 else None)
    if markup is not None:
        params["reply_markup"] = markup
    return Outgoing("editMessageText", params), render(replies[1:], view)


def picked(message_html: str, label: str | None) -> Outgoing:
    """The edit that leaves a tapped dialog step showing what was picked, with no buttons; only
    the buttons go when the pick is not known or the text would be too long."""
    if label:
        runs = [Run("\n\n"), Run(f"✓ {label}", "b")]
        text = message_html + to_html(runs)
        if utf16_len(message_html) + utf16_len(plain(runs)) <= MESSAGE_LIMIT:
            return Outgoing("editMessageText", {"text": text, "parse_mode": "HTML", "link_preview_options": NO_PREVIEW})
    return Outgoing("editMessageReplyMarkup", {})

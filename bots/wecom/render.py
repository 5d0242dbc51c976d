"""Neutral replies → WeCom app message bodies for `message/send` (pure functions).

- Text → `text` (split at 2,048 bytes, WeCom's limit).
- Choices and Cards with callback buttons → `template_card` of type `button_interaction`,
  each button's key our action token; links go to the card's `jump_list`. More than six
  buttons are paged into further cards by the shared `bots.fallback.page_buttons`.
- What a card cannot hold losslessly (more than 6 fields, long values, long button
  labels, more than 3 links) goes first into a `markdown` message, so nothing is cut off
  unseen.
- Card without buttons → `markdown`; AskLocation → how to share a position, with the
  signed check-in page as a `text_notice` card where there is one; Media → an upload.
Limits are WeCom's (developer.work.weixin.qq.com/document/path/90236).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bots.fallback import page_buttons
from conversations.i18n import labelled, translate
from conversations.inbound import Capabilities
from conversations.messages import Action, AskLocation, Card, Choices, Form, Media, Reply, Text

log = logging.getLogger(__name__)
TEXT_BYTES = 2048
BUTTONS = 6
FIELDS = 6
LINKS = 3
TITLE_CHARS = 26
DESC_CHARS = 30
KEYNAME_CHARS = 10
VALUE_CHARS = 26
BUTTON_CHARS = 10
SUBTITLE_CHARS = 112
STYLES = {"primary": 1, "default": 2, "danger": 3}
PAGING = Capabilities(buttons=BUTTONS)
"""What `page_buttons` needs to know: a button_interaction card holds six buttons."""

Body = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A photo or file that must go through `media/upload` before `message/send`."""

    kind: str
    filename: str
    mime: str
    data: bytes = field(repr=False)


Out = Body | Upload


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_bytes(text: str, limit: int = TEXT_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, broken at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:  # one very long line: cut by characters
            head = line.encode()[:limit].decode("utf-8", errors="ignore")
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            line = line[len(head) :]
        if len((current + line).encode()) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return pieces


def text(content: str) -> list[Body]:
    return [{"msgtype": "text", "text": {"content": piece}} for piece in split_bytes(content)]


def markdown(content: str) -> list[Body]:
    return [{"msgtype": "markdown", "markdown": {"content": piece}} for piece in split_bytes(content)]


def _link(action: Action) -> str:
    return f"[{action.label}]({action.url})"


def _buttons(actions: tuple[Action, ...]) -> tuple[list[Body], bool]:
    """WeCom buttons for callback actions; True if a label had to be shortened."""
    shortened = False
    buttons: list[Body] = []
    for n, action in enumerate(a for a in actions if a.token is not None):
        label = action.label
        if len(label) > BUTTON_CHARS:
            shortened = True
            label = _cut(f"{n + 1} {label}", BUTTON_CHARS)
        buttons.append({"text": label, "style": STYLES[action.style], "key": action.token})
    return buttons[:BUTTONS], shortened


def _jumps(actions: tuple[Action, ...]) -> list[Body]:
    links = [a for a in actions if a.url is not None]
    return [{"type": 1, "title": _cut(a.label, 13), "url": a.url} for a in links[:LINKS]]


def _too_many_links(actions: tuple[Action, ...]) -> bool:
    return sum(1 for a in actions if a.url is not None) > LINKS


def _numbered(actions: tuple[Action, ...]) -> str:
    tokens = [a for a in actions if a.token is not None]
    return "\n".join(f"{n}. {a.label}" for n, a in enumerate(tokens, 1))


def button_card(
    title: str, actions: tuple[Action, ...], task_id: str, *, desc: str | None = None,
    fields: list[Body] | None = None, sub_title: str | None = None,
) -> Body:
    buttons, _ = _buttons(actions)
    card: Body = {"card_type": "button_interaction", "main_title": {"title": _cut(title, TITLE_CHARS)}}
    if desc:
        card["main_title"]["desc"] = _cut(desc, DESC_CHARS)
    if sub_title:
        card["sub_title_text"] = _cut(sub_title, SUBTITLE_CHARS)
    if fields:
        card["horizontal_content_list"] = fields
    jumps = _jumps(actions)
    if jumps:
        card["jump_list"] = jumps
    card["task_id"] = task_id
    card["button_list"] = buttons
    return {"msgtype": "template_card", "template_card": card}


def choices(reply: Choices, task_ids: Iterator[str]) -> list[Body]:
    if not any(a.token for a in reply.options):
        lines = [reply.prompt, *(_link(a) for a in reply.options if a.url)]
        return markdown("\n".join(lines))
    _, shortened = _buttons(reply.options)
    full = _numbered(reply.options) if shortened else None
    out: list[Body] = []
    sub = reply.prompt if len(reply.prompt) > TITLE_CHARS else None
    if _too_many_links(reply.options):
        log.info("wecom: more links than a card's jump list holds; all listed in a markdown message")
        out += markdown("\n".join([reply.prompt, *(_link(a) for a in reply.options if a.url)]))
    if full is not None:
        candidate = "\n".join(p for p in (sub, full) if p)
        if len(candidate) <= SUBTITLE_CHARS:
            sub = candidate
        else:
            log.info("wecom: long choice labels listed in a markdown message before the card")
            out += markdown("\n".join(p for p in (reply.prompt, full) if p))
    out.append(button_card(reply.prompt, reply.options, next(task_ids), sub_title=sub))
    return out


def _card_markdown(reply: Card) -> str:
    lines = [f"**{reply.title}**"]
    if reply.subtitle:
        lines.append(f"> {reply.subtitle}")
    lines += [labelled(f.label, f.value) for f in reply.fields]
    lines += [_link(a) for a in reply.actions if a.url]
    return "\n".join(lines)


def card(reply: Card, task_ids: Iterator[str]) -> list[Body]:
    if not any(a.token for a in reply.actions):
        return markdown(_card_markdown(reply))
    fits = (
        len(reply.fields) <= FIELDS
        and all(len(f.label) <= KEYNAME_CHARS and len(f.value) <= VALUE_CHARS for f in reply.fields)
        and len(reply.title) <= TITLE_CHARS
        and not _buttons(reply.actions)[1]
        and not _too_many_links(reply.actions)
    )
    if fits:
        fields = [{"keyname": f.label, "value": f.value} for f in reply.fields]
        return [button_card(reply.title, reply.actions, next(task_ids), desc=reply.subtitle, fields=fields)]
    log.info("wecom: card %r too large for a template card; full text sent as markdown", reply.ref or "")
    numbered = _numbered(reply.actions) if _buttons(reply.actions)[1] else ""
    content = _card_markdown(reply) + (f"\n\n{numbered}" if numbered else "")
    return [*markdown(content), button_card(reply.title, reply.actions, next(task_ids), desc=reply.subtitle)]


def ask_location(reply: AskLocation, locale: str) -> list[Body]:
    hint = translate(locale, "wecom.location_hint")
    if reply.web_url is None:
        return text(f"{reply.prompt}\n{hint}")
    notice: Body = {
        "card_type": "text_notice",
        "main_title": {"title": _cut(reply.prompt, TITLE_CHARS)},
        "sub_title_text": _cut(hint if len(reply.prompt) <= TITLE_CHARS else f"{reply.prompt}\n{hint}", SUBTITLE_CHARS),
        "jump_list": [{"type": 1, "title": translate(locale, "wecom.open_page"), "url": reply.web_url}],
        "card_action": {"type": 1, "url": reply.web_url},
    }
    return [{"msgtype": "template_card", "template_card": notice}]


def form(reply: Form) -> list[Body]:
    """Forms are asked step by step before they get here (no native forms); shown as a list if not."""
    lines = [f"**{reply.title}**", *(f"- {f.label}" for f in reply.fields)]
    lines += [f"> {message}" for _, message in reply.errors]
    return markdown("\n".join(lines))


def render(reply: Reply, *, locale: str, task_ids: Iterator[str]) -> list[Out]:
    match reply:
        case Text():
            return list(text(reply.text))
        case Choices():
            return list(choices(reply, task_ids))
        case Card():
            return list(card(reply, task_ids))
        case AskLocation():
            return list(ask_location(reply, locale))
        case Form():
            return list(form(reply))
        case Media():
            upload: list[Out] = [Upload(reply.kind, reply.filename, reply.mime, reply.data)]
            return upload + (list(text(reply.caption)) if reply.caption else [])
    raise TypeError(f"not a reply: {reply!r}")


def render_all(replies: list[Reply], *, locale: str, task_ids: Iterator[str]) -> list[Out]:
    """Every reply's bodies in order, choices and cards with more than six buttons paged first."""
    return [out for reply in page_buttons(replies, PAGING) for out in render(reply, locale=locale, task_ids=task_ids)]


def done_card(replies: list[Reply], fallback: str) -> Body:
    """The `update_template_card` body that turns a decided card's buttons into one grey label."""
    return {"button": {"replace_name": _cut(outcome(replies) or fallback, BUTTON_CHARS * 2)}}


def edited_card(replies: list[Reply], fallback: str) -> Body:
    """The `update_template_card` body for a card edited after the fact (a decision taken elsewhere).

    The record comes back without buttons and its newest fact last (an approval's decision), so
    the grey label says that rather than repeating the title.
    """
    first = replies[0] if replies else None
    if isinstance(first, Card) and not first.actions and first.fields:
        label = _first_line(first.fields[-1].value)
        return {"button": {"replace_name": _cut(label or fallback, BUTTON_CHARS * 2)}}
    return done_card(replies, fallback)


def outcome(replies: list[Reply]) -> str:
    """A one-line summary of what a click led to, for the greyed-out button.

    A card without buttons is a record shown again after a decision (an approval, a rebate
    claim); the text beside it says what was decided, so it is preferred to the card's title.
    """
    settled = ""
    for reply in replies:
        match reply:
            case Card() if not reply.actions:
                settled = settled or _first_line(reply.title)
            case Card():
                return _first_line(reply.title)
            case Text() if reply.text.strip():
                return _first_line(reply.text)
            case Choices() | AskLocation():
                return _first_line(reply.prompt)
    return settled


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


MENU_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wecom.menu.work", ("c", "lead", "visit", "agenda", "pool")),
    ("wecom.menu.more", ("menu", "tickets", "checkins", "settings", "lang")),
)
"""The app menu beside the check-in picker: everyday commands, by their command names."""


def _cut_bytes(label: str, limit: int) -> str:
    while len(label.encode()) > limit:
        label = label[:-1]
    return label


def menu(locale: str) -> Body:
    """The `menu/create` body: a location picker to check in, and two groups of commands.

    Top-level names take 16 bytes and sub-menus 40 at most; the click keys are command
    names that come back as commands (`click` events), the picker as a location.
    """
    checkin = {"type": "location_select", "name": _cut_bytes(translate(locale, "menu.checkin"), 16), "key": "checkin"}
    groups = [
        {
            "name": _cut_bytes(translate(locale, group), 16),
            "sub_button": [
                {"type": "click", "name": _cut_bytes(translate(locale, f"menu.{cmd}" if cmd != "menu" else "wecom.menu.all"), 40),
                 "key": cmd}
                for cmd in commands
            ],
        }
        for group, commands in MENU_GROUPS
    ]
    return {"button": [checkin, *groups]}

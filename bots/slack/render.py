"""Neutral replies → Slack Block Kit (pure functions; golden-tested).

One reply is one Slack message, so that a decided card can be replaced on its own. User
text is escaped for mrkdwn (&, <, >) and cut to Block Kit's limits. Callback buttons carry
the engine's action token as their value; link buttons carry the URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bots.slack.modals import FORM_ACTION, encode_form
from conversations.i18n import translate
from conversations.messages import Action, AskLocation, Card, Choices, Form, Media, Reply, Text

Block = dict[str, Any]
CALLBACK = "fc:"
"""action_id prefix of callback buttons (value: the action token)."""
LINK = "fl:"
"""action_id prefix of link buttons (Slack still reports their clicks; we only acknowledge)."""
SECTION_CHARS = 3000
FIELD_CHARS = 2000
HEADER_CHARS = 150
BUTTON_CHARS = 75
FALLBACK_CHARS = 300
BUTTONS_PER_BLOCK = 25
FIELDS_PER_SECTION = 10
BLOCKS_PER_MESSAGE = 50
HOME_BLOCKS = 100


@dataclass(frozen=True)
class Message:
    """One chat.postMessage (text is the notification fallback), or one file upload."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    upload: Media | None = None


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = SECTION_CHARS) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def section(text: str) -> list[Block]:
    """mrkdwn sections of escaped text, split at Block Kit's 3,000 characters."""
    escaped = escape(text) or " "
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": escaped[i : i + SECTION_CHARS]}}
        for i in range(0, len(escaped), SECTION_CHARS)
    ]


def button(action: Action, index: int) -> Block:
    out: Block = {"type": "button", "text": plain(action.label, BUTTON_CHARS)}
    if action.token is not None:
        out.update(action_id=f"{CALLBACK}{index}", value=action.token)
    else:
        out.update(action_id=f"{LINK}{index}", url=action.url)
    if action.style != "default":
        out["style"] = action.style
    return out


def actions(items: tuple[Action, ...]) -> list[Block]:
    buttons = [button(a, i) for i, a in enumerate(items)]
    return [
        {"type": "actions", "elements": buttons[i : i + BUTTONS_PER_BLOCK]}
        for i in range(0, len(buttons), BUTTONS_PER_BLOCK)
    ]


def card_blocks(card: Card) -> list[Block]:
    header: Block = {"type": "header", "text": plain(card.title, HEADER_CHARS)}
    if card.ref:
        header["block_id"] = f"card:{cut(card.ref, 240)}"
    blocks = [header]
    if card.subtitle:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(card.subtitle)}]})
    cells = [
        {"type": "mrkdwn", "text": cut(f"*{escape(f.label)}*\n{escape(f.value)}", FIELD_CHARS)} for f in card.fields
    ]
    for i in range(0, len(cells), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": cells[i : i + FIELDS_PER_SECTION]})
    return blocks + actions(card.actions)


def render(reply: Reply, locale: str) -> Message:
    match reply:
        case Text(text=text):
            return Message(cut(text, FALLBACK_CHARS), section(text))
        case Choices(prompt=prompt, options=options):
            return Message(cut(prompt, FALLBACK_CHARS), section(prompt) + actions(options))
        case Card():
            return Message(cut(reply.title, FALLBACK_CHARS), card_blocks(reply))
        case Form():
            return Message(cut(reply.title, FALLBACK_CHARS), form_blocks(reply, locale))
        case AskLocation(prompt=prompt, web_url=web_url):
            link = (Action(translate(locale, "slack.open_location"), url=web_url, style="primary"),) if web_url else ()
            return Message(cut(prompt, FALLBACK_CHARS), section(prompt) + actions(link))
        case Media():
            return Message(cut(reply.caption or reply.filename, FALLBACK_CHARS), upload=reply)
    raise TypeError(f"not a reply: {reply!r}")


def form_blocks(form: Form, locale: str) -> list[Block]:
    """A form is a button that opens a modal; the button's value holds the form itself."""
    blocks = section(f"📝 {form.title}")
    if form.errors:
        lines = "\n".join(f"• {message}" for _, message in form.errors)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": cut(escape(lines), SECTION_CHARS)}]})
    opener = {
        "type": "button", "action_id": FORM_ACTION, "value": encode_form(form), "style": "primary",
        "text": plain(translate(locale, "slack.open_form"), BUTTON_CHARS),
    }
    return [*blocks, {"type": "actions", "elements": [opener]}]


def messages(replies: list[Reply], locale: str) -> list[Message]:
    """Every reply as one message, split further only past Slack's 50 blocks."""
    out: list[Message] = []
    for reply in replies:
        message = render(reply, locale)
        if len(message.blocks) <= BLOCKS_PER_MESSAGE:
            out.append(message)
            continue
        for i in range(0, len(message.blocks), BLOCKS_PER_MESSAGE):
            out.append(Message(message.text, message.blocks[i : i + BLOCKS_PER_MESSAGE]))
    return out


def decided(blocks: list[Block], note: str) -> list[Block]:
    """The same message with its buttons gone and a line saying what happened."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(escape(note), SECTION_CHARS)}]}]


def card_ref(blocks: list[Block]) -> str | None:
    """The record a posted card shows (its header's block_id), to replace it when it is decided."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if block.get("type") == "header" and block_id.startswith("card:"):
            return block_id[5:]
    return None


def home(replies: list[Reply], locale: str) -> dict[str, Any]:
    """The App Home tab: the agenda's replies under a header, with a hint where to chat."""
    blocks: list[Block] = [{"type": "header", "text": plain(translate(locale, "slack.home_title"), HEADER_CHARS)}]
    for message in messages(replies, locale):
        blocks += message.blocks
    blocks = blocks[: HOME_BLOCKS - 2]
    blocks += [
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(translate(locale, "slack.home_hint"))}]},
    ]
    return {"type": "home", "blocks": blocks}

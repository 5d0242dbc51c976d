"""Neutral replies → DingTalk robot messages (pure functions; golden-tested).

- Text → `sampleText`; a card without buttons → `sampleMarkdown` (title and fields).
- Anything with callback buttons → an interactive card on the built-in `StandardCard`
  template: a header, markdown contents and `request` buttons whose id is our action token,
  so that a click (Stream topic /v1.0/card/instances/callback) names the action. A question
  that fits the header is not repeated below it.
- A location request (check-in, pool near me, arrival) → an `sampleActionCard` whose single
  button opens the signed page (DingTalk robots receive no location messages).
- Forms never arrive here in a dialog (no native forms: the engine asks field by field).
Link buttons are `openLink` actions. User text is made inert for DingTalk markdown by
escaping only what starts markup (emphasis, code, links, and headings or quotes at a line's
start), so that plain brackets and dots read as typed whatever DingTalk does with escapes.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from typing import Any, Literal

from conversations.i18n import colon, translate
from conversations.messages import Action, AskLocation, Card, Choices, Form, Media, Reply, Text

TEXT_CHARS = 5000
TITLE_CHARS = 60
LABEL_CHARS = 60
MD_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]~"})
LINE_MARKUP = re.compile(r"^([#>])", re.MULTILINE)
STATUS = {"primary": "primary", "danger": "warning", "default": "normal"}


@dataclass(frozen=True)
class Outgoing:
    """One robot message (`msg_key` + `param`) or one StandardCard (`card`)."""

    kind: Literal["message", "card", "media"]
    msg_key: str = ""
    param: dict[str, Any] | None = None
    card: dict[str, Any] | None = None
    ref: str | None = None
    """The record a card shows, kept in its cardBizId so that a click can update it in place."""
    media: Media | None = None


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(text: str) -> str:
    """User text made inert in DingTalk markdown; line breaks kept."""
    return LINE_MARKUP.sub(r"\\\1", text.translate(MD_ESCAPES)).replace("\n", "  \n")


def title_of(text: str) -> str:
    """The line shown in the chat list and the notification."""
    return cut(text.strip().split("\n")[0] or "FieldChat", TITLE_CHARS)


def button(action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "button", "label": {"type": "text", "text": cut(action.label, LABEL_CHARS)},
        "status": STATUS[action.style],
    }
    if action.url is not None:
        out.update(actionType="openLink", url={"all": action.url}, id=f"link{zlib.crc32(action.url.encode())}")
    else:
        out.update(actionType="request", id=action.token)
    return out


def standard_card(title: str, lines: list[str], actions: tuple[Action, ...]) -> dict[str, Any]:
    contents: list[dict[str, Any]] = [{"type": "markdown", "text": line, "id": f"md{i}"} for i, line in enumerate(lines)]
    if actions:
        contents.append({"type": "action", "actions": [button(a) for a in actions], "id": "actions"})
    return {"config": {"autoLayout": True, "enableForward": False}, "header": {"title": {"type": "text", "text": cut(title, TITLE_CHARS)}}, "contents": contents}


def field_lines(reply: Card) -> list[str]:
    lines = [f"**{md(f.label)}**{colon(f.label)}{md(f.value)}" for f in reply.fields]
    return ([md(reply.subtitle)] if reply.subtitle else []) + lines


def render(reply: Reply, locale: str) -> Outgoing:
    match reply:
        case Text(text=text):
            return Outgoing("message", "sampleText", {"content": cut(text, TEXT_CHARS)})
        case Choices(prompt=prompt, options=options):
            title = title_of(prompt)
            return Outgoing("card", card=standard_card(title, [] if title == prompt.strip() else [md(prompt)], options))
        case Card():
            if not reply.actions:
                text = "\n\n".join([f"#### {md(reply.title)}", *field_lines(reply)])
                return Outgoing("message", "sampleMarkdown", {"title": title_of(reply.title), "text": text})
            return Outgoing("card", card=standard_card(reply.title, field_lines(reply), reply.actions), ref=reply.ref)
        case Form():
            lines = [md(f.label + ("" if f.required else " ·")) for f in reply.fields]
            errors = [f"⚠️ {md(message)}" for _, message in reply.errors]
            return Outgoing("card", card=standard_card(reply.title, errors + lines, (reply.submit,)))
        case AskLocation(prompt=prompt, web_url=web_url):
            return ask_location(prompt, web_url, locale)
        case Media():
            return Outgoing("media", media=reply)
    raise TypeError(f"not a reply: {reply!r}")


def ask_location(prompt: str, web_url: str | None, locale: str) -> Outgoing:
    hint = translate(locale, "dingtalk.share_location_hint")
    if web_url is None:
        return Outgoing("message", "sampleText", {"content": f"{prompt}\n{hint}"})
    param = {
        "title": title_of(prompt), "text": f"{md(prompt)}\n\n{md(hint)}",
        "singleTitle": translate(locale, "dingtalk.open_location_page"), "singleURL": web_url,
    }
    return Outgoing("message", "sampleActionCard", param)


def as_card(reply: Reply, locale: str) -> dict[str, Any]:
    """A reply as StandardCard data, for updating a sent card (a decided one has no buttons)."""
    if isinstance(reply, Card):
        return standard_card(reply.title, field_lines(reply), reply.actions)
    out = render(reply, locale)
    if out.card is not None:
        return out.card
    text = str((out.param or {}).get("content") or (out.param or {}).get("title") or " ")
    return standard_card(title_of(text), [md(text)], ())


def media_param(media: Media, media_id: str) -> tuple[str, dict[str, Any]]:
    """The robot message for an uploaded image or file."""
    if media.kind == "image":
        return "sampleImageMsg", {"photoURL": media_id}
    extension = media.filename.rsplit(".", 1)[-1].lower() if "." in media.filename else "file"
    return "sampleFile", {"mediaId": media_id, "fileName": media.filename, "fileType": extension}


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

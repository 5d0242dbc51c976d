"""Neutral replies → Feishu messages: interactive cards (JSON 1.0), text, image or file (pure).

Callback buttons carry `{"t": <action token>, "c": <chat>, "g": <language>}`; the chat is
stamped in so that a click maps to the conversation the card was sent in (card callbacks name
only the open chat id), and the language the card is shown in because a click says nothing of
the user's language. Picker buttons also carry their label (`"l"`), so that the clicked picker
can collapse to "✓ label" in the card-action answer, and a record card's buttons its `ref`
(`"r"`), so that an answer about the same record (a decided approval) replaces the card in
place. Forms use the card form container: inputs, selects and date pickers, submitted in one
callback with `form_value`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from conversations.i18n import translate
from conversations.messages import Action, AskLocation, Card, Choices, Form, FormField, Media, Reply, Text

Element = dict[str, Any]
TITLE_CHARS = 100
TEXT_CHARS = 4000
LABEL_CHARS = 80
MD_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>*_~`[]()#\\"})
STYLE = {"primary": "primary", "danger": "danger", "default": "default"}


@dataclass(frozen=True)
class Outgoing:
    """One Feishu message: `content` is what goes (JSON-encoded) into the API's `content`."""

    msg_type: Literal["interactive", "text", "image", "file"]
    content: dict[str, Any]
    media: Media | None = None
    """For image and file messages: uploaded first, then its key is put into `content`."""


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(text: str) -> str:
    """User text made inert in lark_md (no emphasis, links or @-mentions from data)."""
    return text.translate(MD_ESCAPES)


def plain(text: str, limit: int = TEXT_CHARS) -> dict[str, str]:
    return {"tag": "plain_text", "content": cut(text, limit) or " "}


def button(action: Action, chat: str, locale: str, *, picker: bool = False, ref: str | None = None) -> Element:
    out: Element = {"tag": "button", "text": plain(action.label, LABEL_CHARS), "type": STYLE[action.style]}
    if action.url is not None:
        out["multi_url"] = {"url": action.url, "pc_url": "", "android_url": "", "ios_url": ""}
    else:
        value: dict[str, str] = {"t": action.token or "", "c": chat, "g": locale}
        if picker:
            value["l"] = cut(action.label, LABEL_CHARS)
        if ref:
            value["r"] = ref
        out["value"] = value
    return out


def actions(items: tuple[Action, ...], chat: str, locale: str, *, picker: bool = False, ref: str | None = None) -> list[Element]:
    return [{"tag": "action", "actions": [button(a, chat, locale, picker=picker, ref=ref) for a in items]}] if items else []


def card(title: str | None, elements: list[Element], *, subtitle: str | None = None, template: str = "blue") -> Element:
    out: Element = {"config": {"wide_screen_mode": True, "update_multi": True}, "elements": elements or [div(" ")]}
    if title:
        header: Element = {"title": plain(title, TITLE_CHARS), "template": template}
        if subtitle:
            header["subtitle"] = plain(subtitle, TITLE_CHARS)
        out["header"] = header
    return out


def div(text: str) -> Element:
    return {"tag": "div", "text": plain(text)}


def render_card(reply: Card, chat: str, locale: str) -> Element:
    fields = [
        {"is_short": len(f.value) <= 24, "text": {"tag": "lark_md", "content": f"**{md(f.label)}**\n{md(f.value)}"}}
        for f in reply.fields
    ]
    elements: list[Element] = [{"tag": "div", "fields": fields}] if fields else []
    return card(reply.title, elements + actions(reply.actions, chat, locale, ref=reply.ref), subtitle=reply.subtitle)


def form_input(field: FormField) -> Element:
    """One form field as the card component that fits it."""
    base: Element = {"name": field.name, "required": field.required}
    label = plain(field.label + ("" if field.required else " ·"), LABEL_CHARS)
    if field.kind == "choice":
        options = [{"text": plain(text, LABEL_CHARS), "value": value} for value, text in field.options]
        out: Element = {"tag": "select_static", **base, "placeholder": label, "options": options}
        if field.value:
            out["initial_option"] = field.value
        return out
    if field.kind == "date":
        out = {"tag": "date_picker", **base, "placeholder": label}
        if field.value:
            out["initial_date"] = field.value
        return out
    out = {"tag": "input", **base, "label": label, "label_position": "top", "max_length": 1000}
    if field.kind == "textarea":
        out["input_type"] = "multiline_text"
        out["rows"] = 3
    if field.hint:
        out["placeholder"] = plain(field.hint, 100)
    if field.value:
        out["default_value"] = field.value
    return out


def render_form(reply: Form, chat: str, locale: str) -> Element:
    submit = button(reply.submit, chat, locale)
    submit.update(action_type="form_submit", name="submit")
    inside: list[Element] = []
    for f in reply.fields:
        if f.kind in ("choice", "date"):
            inside.append(div(f.label + ("" if f.required else " ·")))
        inside.append(form_input(f))
    errors = [div("⚠️ " + "\n⚠️ ".join(message for _, message in reply.errors))] if reply.errors else []
    body = [*errors, {"tag": "form", "name": "form", "elements": [*inside, submit]}]
    return card(reply.title, body, template="red" if reply.errors else "blue")


def render(reply: Reply, locale: str, chat: str) -> Outgoing:
    match reply:
        case Text(text=text):
            return Outgoing("text", {"text": cut(text, TEXT_CHARS)})
        case Choices(prompt=prompt, options=options):
            return Outgoing("interactive", card(None, [div(prompt), *actions(options, chat, locale, picker=True)]))
        case Card():
            return Outgoing("interactive", render_card(reply, chat, locale))
        case Form():
            return Outgoing("interactive", render_form(reply, chat, locale))
        case AskLocation(prompt=prompt, web_url=web_url):
            link = (Action(translate(locale, "feishu.location_page"), url=web_url, style="primary"),) if web_url else ()
            body = [div(prompt), div(translate(locale, "feishu.location_hint")), *actions(link, chat, locale)]
            return Outgoing("interactive", card(None, body))
        case Media():
            return Outgoing(reply.kind, {}, media=reply)
    raise TypeError(f"not a reply: {reply!r}")


def as_card(reply: Reply, locale: str, chat: str) -> Element:
    """A reply as card content, for editing a sent card or answering a card click."""
    out = render(reply, locale, chat)
    if out.msg_type == "interactive":
        return out.content
    text = out.content.get("text") or (reply.caption if isinstance(reply, Media) else None) or " "
    return card(None, [div(str(text))])


def collapsed(label: str, mark: str = "✓") -> Element:
    """A clicked picker, shown with its choice and no buttons (stale choices cannot be tapped)."""
    return card(None, [div(label if label.startswith(mark) else f"{mark} {label}")])


def content_json(out: Outgoing) -> str:
    return json.dumps(out.content, ensure_ascii=False, separators=(",", ":"))

"""Neutral replies ⇄ plain JSON, so that replies composed now can be stored and sent later.

The notification outbox keeps what it will send as JSON; this codec turns the closed set
of reply dataclasses into dicts and back, exactly, and refuses anything it does not know
(a stored row from a newer version, a hand-edited payload) instead of guessing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, cast

from conversations.messages import (
    Action,
    AskLocation,
    Card,
    Choices,
    Field,
    FieldKind,
    Form,
    FormField,
    Media,
    Reply,
    Text,
)


class BadPayload(ValueError):
    """Stored JSON that is not a reply this version knows."""


def dump_all(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    return [dump(r) for r in replies]


def load_all(payload: object) -> list[Reply]:
    if not isinstance(payload, list):
        raise BadPayload("replies must be a list")
    return [load(item) for item in payload]


def dump(reply: Reply) -> dict[str, Any]:
    match reply:
        case Text():
            return {"t": "text", "text": reply.text, **({"asks": True} if reply.awaits_answer else {})}
        case Choices():
            choices: dict[str, Any] = {"t": "choices", "prompt": reply.prompt, "options": [_action(a) for a in reply.options]}
            if reply.ref is not None:
                choices["ref"] = reply.ref
            return choices
        case Card():
            card: dict[str, Any] = {
                "t": "card", "title": reply.title,
                "fields": [[f.label, f.value] for f in reply.fields], "actions": [_action(a) for a in reply.actions],
            }
            if reply.subtitle is not None:
                card["subtitle"] = reply.subtitle
            if reply.ref is not None:
                card["ref"] = reply.ref
            return card
        case Form():
            return {
                "t": "form", "title": reply.title, "fields": [_form_field(f) for f in reply.fields],
                "submit": _action(reply.submit), "errors": [list(e) for e in reply.errors],
            }
        case AskLocation():
            return {"t": "ask_location", "prompt": reply.prompt, "web_url": reply.web_url}
        case Media():
            return {
                "t": "media", "kind": reply.kind, "filename": reply.filename, "mime": reply.mime,
                "caption": reply.caption, "data": base64.b64encode(reply.data).decode(),
            }
    raise TypeError(f"not a reply: {reply!r}")


def load(item: object) -> Reply:
    if not isinstance(item, dict):
        raise BadPayload("a reply must be an object")
    d = cast(dict[str, Any], item)
    try:
        return _LOADERS[d["t"]](d)
    except KeyError as exc:
        raise BadPayload(f"missing or unknown key {exc}") from None
    except (TypeError, ValueError, binascii.Error) as exc:
        raise BadPayload(str(exc)) from None


def _action(a: Action) -> dict[str, Any]:
    """Only what is set: a sweep stores tens of thousands of these."""
    out: dict[str, Any] = {"label": a.label, "token": a.token} if a.token is not None else {"label": a.label, "url": a.url}
    if a.style != "default":
        out["style"] = a.style
    return out


def _load_action(d: dict[str, Any]) -> Action:
    style = d.get("style", "default")
    if style not in ("primary", "danger", "default"):
        raise BadPayload(f"unknown button style {style!r}")
    return Action(_str(d["label"]), token=_opt(d.get("token")), url=_opt(d.get("url")), style=style)


def _form_field(f: FormField) -> dict[str, Any]:
    return {
        "name": f.name, "label": f.label, "kind": f.kind, "required": f.required,
        "options": [list(o) for o in f.options], "value": f.value, "hint": f.hint,
    }


def _load_form_field(d: dict[str, Any]) -> FormField:
    options = tuple((_str(v), _str(label)) for v, label in d.get("options", []))
    kind = cast(FieldKind, _str(d.get("kind", "text")))
    return FormField(
        _str(d["name"]), _str(d["label"]), kind, bool(d.get("required", True)), options,
        _opt(d.get("value")), _opt(d.get("hint")),
    )


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise BadPayload(f"expected text, got {type(value).__name__}")
    return value


def _opt(value: object) -> str | None:
    return None if value is None else _str(value)


def _load_media(d: dict[str, Any]) -> Media:
    kind = d["kind"]
    if kind not in ("image", "file"):
        raise BadPayload(f"unknown media kind {kind!r}")
    data = base64.b64decode(_str(d["data"]), validate=True)
    return Media(kind, _str(d["filename"]), _str(d["mime"]), data, _opt(d.get("caption")))


_LOADERS: dict[str, Callable[[dict[str, Any]], Reply]] = {
    "text": lambda d: Text(_str(d["text"]), awaits_answer=d.get("asks") is True),
    "choices": lambda d: Choices(_str(d["prompt"]), tuple(_load_action(a) for a in d["options"]), _opt(d.get("ref"))),
    "card": lambda d: Card(
        _str(d["title"]), tuple(Field(_str(k), _str(v)) for k, v in d.get("fields", [])),
        tuple(_load_action(a) for a in d.get("actions", [])), _opt(d.get("subtitle")), _opt(d.get("ref")),
    ),
    "form": lambda d: Form(
        _str(d["title"]), tuple(_load_form_field(f) for f in d["fields"]), _load_action(d["submit"]),
        tuple((_str(k), _str(v)) for k, v in d.get("errors", [])),
    ),
    "ask_location": lambda d: AskLocation(_str(d["prompt"]), _opt(d.get("web_url"))),
    "media": _load_media,
}

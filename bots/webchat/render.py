"""Neutral replies → the web chat's JSON (pure functions)."""

from __future__ import annotations

import base64
from typing import Any

from conversations.messages import Action, AskLocation, Card, Choices, Form, Media, Reply, Text


def action(a: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"label": a.label, "style": a.style}
    if a.token is not None:
        out["action"] = a.token
    else:
        out["url"] = a.url
    return out


def render(reply: Reply) -> dict[str, Any]:
    match reply:
        case Text(text=text):
            return {"type": "text", "text": text}
        case Choices(prompt=prompt, options=options):
            return {"type": "choices", "prompt": prompt, "options": [action(o) for o in options]}
        case Card():
            return {
                "type": "card",
                "title": reply.title,
                "subtitle": reply.subtitle,
                "fields": [{"label": f.label, "value": f.value} for f in reply.fields],
                "actions": [action(a) for a in reply.actions],
                "ref": reply.ref,
            }
        case Form():
            return {
                "type": "form",
                "title": reply.title,
                "fields": [
                    {
                        "name": f.name, "label": f.label, "kind": f.kind, "required": f.required,
                        "options": [list(o) for o in f.options], "value": f.value, "hint": f.hint,
                    }
                    for f in reply.fields
                ],
                "submit": action(reply.submit),
                "errors": [list(e) for e in reply.errors],
            }
        case AskLocation(prompt=prompt, web_url=web_url):
            return {"type": "ask_location", "prompt": prompt, "web_url": web_url}
        case Media():
            encoded = base64.b64encode(reply.data).decode()
            return {
                "type": "media", "kind": reply.kind, "filename": reply.filename, "mime": reply.mime,
                "caption": reply.caption, "data_url": f"data:{reply.mime};base64,{encoded}",
            }
    raise TypeError(f"not a reply: {reply!r}")


def render_all(replies: list[Reply]) -> list[dict[str, Any]]:
    return [render(r) for r in replies]

"""Forms as Slack modals (pure functions): the opener's value, the view, and the submitted values.

The form travels inside its "open" button (compressed JSON, within Slack's 2,000 characters
for a button value), so opening the modal needs no lookup and fits the trigger_id's
3-second life. The modal's private_metadata names the chat and the message to mark done.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

from conversations.i18n import translate
from conversations.messages import Action, Form, FormField

FORM_ACTION = "ff"
"""action_id of the button that opens a form's modal."""
CALLBACK_ID = "fc.form"
VALUE_CHARS = 2000
TITLE_CHARS = 24
INPUT = "v"
"""action_id of every input element (its block_id is the field name)."""
OPTION_CHARS = 75
MAX_OPTIONS = 100


class FormTooLarge(ValueError):
    """The form does not fit in a button value even without its hints."""


def encode_form(form: Form) -> str:
    """Compressed JSON of the form; hints, then long option labels, are dropped if it does not fit."""
    for with_hints, label_chars in ((True, OPTION_CHARS), (False, OPTION_CHARS), (False, 16)):
        fields = [
            [f.name, f.label, f.kind, int(f.required), [[v, lab[:label_chars]] for v, lab in f.options], f.value,
             f.hint if with_hints else None]
            for f in form.fields
        ]
        spec = {"t": form.title, "s": form.submit.token or "", "l": form.submit.label, "f": fields, "e": form.errors}
        raw = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode()
        value = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()
        if len(value) <= VALUE_CHARS:
            return value
    raise FormTooLarge(f"form {form.title!r} is {len(value)} characters encoded")


def decode_form(value: str) -> Form:
    """The form from an opener's value; ValueError if it is not one."""
    try:
        spec = json.loads(zlib.decompress(base64.urlsafe_b64decode(value.encode()), bufsize=65536))
        fields = tuple(
            FormField(name, label, kind, bool(required), tuple((str(v), str(lab)) for v, lab in options), v_, hint)
            for name, label, kind, required, options, v_, hint in spec["f"]
        )
        errors = tuple((str(n), str(m)) for n, m in spec.get("e") or ())
        return Form(spec["t"], fields, Action(spec["l"], token=spec["s"] or "-"), errors=errors)
    except (ValueError, TypeError, KeyError, binascii.Error, zlib.error) as exc:
        raise ValueError("not a form opener") from exc


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": (text if len(text) <= limit else text[: limit - 1] + "…") or " ", "emoji": True}


def modal(form: Form, locale: str, meta: dict[str, str], notes: tuple[str, ...] = ()) -> dict[str, Any]:
    """The modal view; `notes` are messages shown above the fields (e.g. why a draft was refused)."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "plain_text", "text": note[:3000] or " "}} for note in notes
    ]
    errors = dict(form.errors)
    for field in form.fields:
        blocks.append(_input(field))
        if field.name in errors:
            blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": f"⚠️ {errors[field.name]}"[:2000]}]})
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(form.title, TITLE_CHARS),
        "submit": _plain(form.submit.label, TITLE_CHARS),
        "close": _plain(translate(locale, "button.cancel"), TITLE_CHARS),
        "private_metadata": json.dumps(meta, separators=(",", ":")),
        "blocks": blocks,
    }


def _input(field: FormField) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input", "block_id": field.name, "optional": not field.required,
        "label": _plain(field.label, 2000), "element": _element(field),
    }
    if field.hint:
        block["hint"] = _plain(field.hint, 2000)
    return block


def _element(field: FormField) -> dict[str, Any]:
    value = field.value or ""
    if field.kind == "choice":
        options = [{"text": _plain(label, OPTION_CHARS), "value": v[:150]} for v, label in field.options[:MAX_OPTIONS]]
        element: dict[str, Any] = {"type": "static_select", "action_id": INPUT, "options": options}
        chosen = next((o for o in options if o["value"] == value), None)
        if chosen:
            element["initial_option"] = chosen
        return element
    if field.kind == "date" and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return {"type": "datepicker", "action_id": INPUT, "initial_date": value}
    if field.kind == "date":
        return {"type": "datepicker", "action_id": INPUT}
    element = {"type": "plain_text_input", "action_id": INPUT, "max_length": 2000}
    if field.kind == "textarea":
        element["multiline"] = True
    if value:
        element["initial_value"] = value[:2000]
    return element


def submitted(state: dict[str, Any]) -> dict[str, str]:
    """view.state.values → {field name: text}; an empty input is ''."""
    values: dict[str, str] = {}
    for block_id, elements in (state.get("values") or {}).items():
        element = (elements or {}).get(INPUT) or {}
        kind = element.get("type")
        if kind == "static_select":
            value = (element.get("selected_option") or {}).get("value")
        elif kind == "datepicker":
            value = element.get("selected_date")
        else:
            value = element.get("value")
        values[str(block_id)] = value if isinstance(value, str) else ""
    return values


def field_errors(form: Form) -> dict[str, str]:
    """A rejected form's errors keyed by block_id, for `response_action: errors`."""
    names = [f.name for f in form.fields]
    out: dict[str, str] = {}
    for name, message in form.errors:
        target = name if name in names else names[0]
        out[target] = f"{out[target]} {message}" if target in out else message
    return out

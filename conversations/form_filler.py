"""Forms one field per message, for platforms without native forms (console, Telegram …)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from conversations.context import Ctx
from conversations.i18n import labelled, translate
from conversations.inbound import FormEvent
from conversations.messages import Action, Choices, Form, FormField, Reply, Text
from conversations.state import Dialog
from core.errors import InvalidInput

KEY = "_form"
FLOW = "fm"
SKIP_WORDS = {"-", "skip", "跳过", "略"}


def begin(ctx: Ctx, form: Form, *, page_url: str | None = None) -> list[Reply]:
    """Ask the first field; `page_url` (a signed form page) is offered to fill in everything at once."""
    assert ctx.dialog is not None
    fields = [asdict(f) for f in form.fields]
    ctx.dialog.data[KEY] = {"title": form.title, "fields": fields, "i": 0, "values": {}}
    ctx.dialog_changed = True
    intro: list[Reply] = [Text(form.title)]
    if page_url:
        intro = [Choices(form.title, (Action(translate(ctx.locale, "form.open_page"), url=page_url),))]
    intro += [Text(labelled(_label(fields, name), message)) for name, message in form.errors]
    return intro + _prompt(ctx)


def active(ctx: Ctx) -> bool:
    return ctx.dialog is not None and KEY in ctx.dialog.data


def drop(ctx: Ctx) -> None:
    """Forget the step-by-step state (the form arrived whole)."""
    assert ctx.dialog is not None
    ctx.dialog.data.pop(KEY, None)
    ctx.dialog_changed = True


def pending(dialog: Dialog | None) -> tuple[str, tuple[FormField, ...]] | None:
    """The form being asked step by step (title; fields with what is answered so far), for the form page."""
    state = dialog.data.get(KEY) if dialog else None
    if not state:
        return None
    answered = state.get("values", {})
    fields = []
    for raw in state["fields"]:
        item = dict(raw, options=tuple(tuple(o) for o in raw.get("options") or ()))
        if answered.get(item["name"]) is not None:
            item["value"] = str(answered[item["name"]])
        fields.append(FormField(**item))
    return state["title"], tuple(fields)


def _label(fields: list[dict[str, Any]], name: str) -> str:
    return next((f["label"] for f in fields if f["name"] == name), name)


def _field(ctx: Ctx) -> FormField:
    assert ctx.dialog is not None
    state = ctx.dialog.data[KEY]
    raw = dict(state["fields"][state["i"]])
    raw["options"] = tuple(tuple(o) for o in raw.get("options") or ())
    return FormField(**raw)


def _prompt(ctx: Ctx) -> list[Reply]:
    assert ctx.dialog is not None
    state = ctx.dialog.data[KEY]
    field = _field(ctx)
    position = f"({state['i'] + 1}/{len(state['fields'])}) "
    prompt = position + field.label + ("" if field.required else translate(ctx.locale, "form.optional"))
    if field.hint:
        prompt += f"\n{field.hint}"
    if field.value:
        prompt += "\n" + translate(ctx.locale, "form.current", value=field.value)
    buttons = [ctx.button(label, FLOW, f"o{i}") for i, (_, label) in enumerate(field.options)]
    if field.value:
        buttons.append(ctx.button(translate(ctx.locale, "form.keep"), FLOW, "keep"))
    if not field.required:
        buttons.append(ctx.button(translate(ctx.locale, "form.skip"), FLOW, "skip"))
    buttons.append(ctx.button(translate(ctx.locale, "button.cancel"), "x", "cancel", stateless=True, style="danger"))
    return [Choices(prompt, tuple(buttons))]


def answer_action(ctx: Ctx, arg: str) -> list[Reply] | FormEvent:
    field = _field(ctx)
    if arg == "skip":
        return answer(ctx, "")
    if arg == "keep":
        return answer(ctx, field.value or "")
    if arg.startswith("o") and arg[1:].isdigit() and int(arg[1:]) < len(field.options):
        return answer(ctx, field.options[int(arg[1:])][0])
    return [Text(translate(ctx.locale, "error.action_expired"))]


def answer(ctx: Ctx, raw: str) -> list[Reply] | FormEvent:
    """Take one field's answer; the finished form comes back as a FormEvent for the flow."""
    assert ctx.dialog is not None
    state = ctx.dialog.data[KEY]
    field = _field(ctx)
    text = "" if raw.strip().lower() in SKIP_WORDS and not field.required else raw
    try:
        from conversations.forms import check_field

        value = check_field(field, text, ctx.today())
    except InvalidInput as exc:
        return [Text(translate(ctx.locale, exc.code, **exc.params)), *_prompt(ctx)]
    state["values"][field.name] = value
    state["i"] += 1
    ctx.dialog_changed = True
    if state["i"] < len(state["fields"]):
        return _prompt(ctx)
    values = state["values"]
    del ctx.dialog.data[KEY]
    return FormEvent(values=values)

"""HTML for the signed web pages (pure functions): the check-in page, the form page, messages.

Every value is escaped here; the templates only hold layout, style and the small check-in
script. Pages are mobile-first and carry no third-party resources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from html import escape
from pathlib import Path
from string import Template

from conversations.i18n import translate
from conversations.messages import FormField

TEMPLATES = Path(__file__).parent / "templates"
ISO_DATE_LENGTH = 10


@cache
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def page(locale: str, title: str, body: str, *, testid: str, script: str = "", error: bool = False) -> str:
    return Template(_template("base.html")).substitute(
        lang=escape(locale), title=escape(title), body=body, script=script, testid=testid,
        panel_class="error" if error else "",
    )


def message(locale: str, title_key: str, text_key: str, *, error: bool = False) -> str:
    """A page that only says something: sent, expired, used, not valid."""
    title = translate(locale, title_key)
    body = f'<h1>{escape(title)}</h1>\n<p data-testid="message">{escape(translate(locale, text_key))}</p>'
    return page(locale, title, body, testid="error" if error else "done", error=error)


def checkin(locale: str) -> str:
    """The check-in page: one tap asks the browser for a precise position and posts it back."""

    def t(key: str) -> str:
        return translate(locale, key)

    texts = {
        "locating": t("page.loc_locating"), "sending": t("page.loc_sending"), "denied": t("page.loc_denied"),
        "unavailable": t("page.loc_unavailable"), "failed": t("page.failed"),
    }
    body = "\n".join([
        f"<h1>{escape(t('page.loc_title'))}</h1>",
        f"<p>{escape(t('page.loc_hint'))}</p>",
        f'<button id="locate" class="btn" type="button" data-testid="locate">{escape(t("page.loc_button"))}</button>',
        '<p id="status" class="status" role="status" aria-live="polite" data-testid="status"></p>',
        f'<p class="muted">{escape(t("page.loc_privacy"))}</p>',
    ])
    data = json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c")
    script = f'<script id="texts" type="application/json">{data}</script>\n<script>{_template("checkin.js")}</script>'
    return page(locale, t("page.loc_title"), body, testid="checkin", script=script)


def form(
    locale: str, title: str, fields: tuple[FormField, ...], *,
    values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
) -> str:
    """The whole form on one page; a plain POST, so it works without JavaScript."""
    values, errors = values or {}, errors or {}
    parts = [f"<h1>{escape(title)}</h1>", '<form method="post" data-testid="form" novalidate>']
    for field in fields:
        value = values.get(field.name, field.value or "")
        parts.append(_field(locale, field, value, errors.get(field.name)))
    parts.append(f'<button class="btn" type="submit" data-testid="submit">{escape(translate(locale, "page.form_submit"))}</button>')
    parts.append("</form>")
    return page(locale, title, "\n".join(parts), testid="form-page")


def _field(locale: str, field: FormField, value: str, error: str | None) -> str:
    name = escape(field.name)
    optional = "" if field.required else f' <span class="opt">{escape(translate(locale, "form.optional").strip())}</span>'
    out = [f'<label for="f-{name}">{escape(field.label)}{optional}</label>', _control(field, value)]
    if field.hint:
        out.append(f'<div class="hint">{escape(field.hint)}</div>')
    if error:
        out.append(f'<div class="field-error" data-testid="error-{name}">{escape(error)}</div>')
    return "\n".join(out)


def _control(field: FormField, value: str) -> str:
    attrs = f'id="f-{escape(field.name)}" name="{escape(field.name)}" data-testid="field-{escape(field.name)}"'
    if field.kind == "textarea":
        return f"<textarea {attrs}>{escape(value)}</textarea>"
    if field.kind == "choice":
        blank = "" if field.required and value else '<option value=""></option>'
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if v == value else ""}>{escape(label)}</option>'
            for v, label in field.options
        )
        return f"<select {attrs}>{blank}{options}</select>"
    kind = {"phone": "tel", "email": "email", "number": "text", "date": "date", "text": "text"}[field.kind]
    if kind == "date" and value and not _iso_date(value):
        kind = "text"  # a pre-filled value in words ('明天') cannot go into a date picker
    extra = ' inputmode="decimal"' if field.kind == "number" else ""
    return f'<input type="{kind}" {attrs} value="{escape(value)}"{extra}>'


def _iso_date(value: str) -> bool:
    return len(value) == ISO_DATE_LENGTH and value[4] == "-" and value[7] == "-" and value.replace("-", "").isdigit()

"""Field values typed by a person: dates in words or digits, numbers, phones, e-mails.

Used by flows for single answers and by the step-by-step form filler on platforms
without native forms.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from conversations.messages import FormField
from core.errors import InvalidInput
from core.services.lead_parse import normalise_email, normalise_phone

RELATIVE_WORDS = {"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2, "大后天": 3}
IN_DAYS = re.compile(r"^(?:\+|in\s*)?(\d{1,3})\s*(?:天后|天|days?|d)?(?:\s*later)?$", re.I)
FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
SHORT = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
MAX_AHEAD = timedelta(days=366 * 2)


def parse_date(text: str, today: date) -> date:
    """'2026-12-01', '12/1', '12月1日', '明天', '3天后', '+7', 'in 3 days' → a date not in the past."""
    raw = text.strip().lower()
    if raw in RELATIVE_WORDS:
        result = today + timedelta(days=RELATIVE_WORDS[raw])
    elif m := IN_DAYS.match(raw):
        result = today + timedelta(days=int(m.group(1)))
    elif m := FULL.match(raw):
        result = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := SHORT.match(raw):
        result = _date(today.year, int(m.group(1)), int(m.group(2)))
        if result < today:
            result = _date(today.year + 1, result.month, result.day)
    else:
        raise InvalidInput("error.date_invalid", value=text[:40])
    if result < today:
        raise InvalidInput("error.date_past")
    if result - today > MAX_AHEAD:
        raise InvalidInput("error.date_far")
    return result


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput("error.date_invalid", value=f"{year}-{month}-{day}") from None


def parse_number(text: str) -> float:
    raw = text.strip().replace(",", "").replace("，", "")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput("error.number_invalid", value=text[:40]) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput("error.number_invalid", value=text[:40])
    return value


def check_field(field: FormField, raw: object, today: date) -> str | None:
    """The cleaned value as text (None when empty and optional); InvalidInput when wrong."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        if field.required:
            raise InvalidInput("error.field_required", field=field.label)
        return None
    if len(text) > 2000:
        raise InvalidInput("error.too_long", limit=2000)
    if field.kind == "phone":
        return normalise_phone(text)
    if field.kind == "email":
        return normalise_email(text)
    if field.kind == "number":
        return str(parse_number(text))
    if field.kind == "date":
        return parse_date(text, today).isoformat()
    if field.kind == "choice":
        for value, label in field.options:
            if text in (value, label) or text.lower() in (value.lower(), label.lower()):
                return value
        raise InvalidInput("error.choice_invalid", field=field.label)
    return text


def check_form(fields: tuple[FormField, ...], values: dict[str, object], today: date) -> tuple[dict[str, str | None], list[tuple[str, str, dict[str, object]]]]:
    """Every field checked: (clean values, [(field, message code, params)]) for a native form."""
    clean: dict[str, str | None] = {}
    errors: list[tuple[str, str, dict[str, object]]] = []
    for field in fields:
        try:
            clean[field.name] = check_field(field, values.get(field.name), today)
        except InvalidInput as exc:
            errors.append((field.name, exc.code, exc.params))
    return clean, errors

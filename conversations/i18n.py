"""Message catalogs (gettext .po, zh-CN and en) and locale-aware formatting via Babel."""

from __future__ import annotations

import gettext
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

log = logging.getLogger(__name__)
TEXTS = Path(__file__).parent / "texts"
LOCALES = ("zh-CN", "en")
BABEL = {"zh-CN": "zh_Hans_CN", "en": "en"}


def normalise_locale(hint: str | None) -> str | None:
    """A platform's language code ('zh-hans', 'zh_CN', 'en-US') → one of ours, or None."""
    if not hint:
        return None
    lowered = hint.lower().replace("_", "-")
    if lowered.startswith("zh"):
        return "zh-CN"
    if lowered.startswith("en"):
        return "en"
    return None


PLURAL_BY = ("count", "days", "steps", "months")
"""The parameter whose number picks a plural form (the first one a message is given)."""


@dataclass(frozen=True)
class _Texts:
    singles: dict[str, str]
    """Every message (a plural one by its last form, e.g. "{count} customers match")."""
    plurals: dict[str, tuple[str, ...]]
    """Messages with plural forms (`msgid_plural` in the .po): "1 customer matches"."""
    form_of: Callable[[int], int]
    """The catalog's Plural-Forms rule: a number → the index of its form."""


@lru_cache(maxsize=2)
def _texts(locale: str) -> _Texts:
    file = TEXTS / f"{locale.replace('-', '_')}.po"
    with file.open("rb") as fh:
        catalog = read_po(fh, locale=BABEL[locale])
    singles: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for m in catalog:
        if not m.id or not m.string:
            continue
        if isinstance(m.id, tuple | list):
            forms = tuple(str(f) for f in m.string)
            plurals[str(m.id[0])], singles[str(m.id[0])] = forms, forms[-1]
        else:
            singles[str(m.id)] = str(m.string)
    return _Texts(singles, plurals, gettext.c2py(catalog.plural_expr))


def _catalog(locale: str) -> dict[str, str]:
    return _texts(locale).singles


def plural_forms(locale: str) -> dict[str, tuple[str, ...]]:
    return _texts(locale).plurals


def catalog_keys(locale: str) -> set[str]:
    return set(_catalog(locale))


def colon(label: str) -> str:
    """What follows a label before its value: '：' after Chinese (full width, no space, as the
    zh-CN texts write it), ': ' after anything else. Decided by the label, so a card's field
    reads right whatever the interface language."""
    last = label.rstrip()[-1:]
    wide = bool(last) and unicodedata.east_asian_width(last) in ("W", "F") and unicodedata.category(last) != "So"
    return "：" if wide else ": "  # an emoji (So) is wide too, and ends English labels as well


def labelled(label: str, value: str) -> str:
    return f"{label}{colon(label)}{value}"


def translate(locale: str, key: str, /, **params: object) -> str:
    texts = _texts(locale)
    if key not in texts.singles:
        texts = _texts("en")
    text = texts.singles.get(key)
    forms = texts.plurals.get(key)
    number = next((params[p] for p in PLURAL_BY if p in params), None)
    if forms and isinstance(number, int | Decimal | float):
        text = forms[min(texts.form_of(int(number)), len(forms) - 1)]
    if text is None:
        log.error("missing message %s", key)
        return key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        log.error("bad parameters for message %s: %s", key, sorted(params))
        return text


class Formatter:
    """Numbers, money, dates and distances the way the user's locale writes them."""

    def __init__(self, locale: str, tz: ZoneInfo) -> None:
        self.locale = locale
        self.babel = Locale.parse(BABEL[locale])
        self.tz = tz

    def number(self, value: float | int | Decimal, digits: int = 0) -> str:
        return str(format_decimal(value, format=f"#,##0{'.' + '0' * digits if digits else ''}", locale=self.babel))

    def money(self, value: Decimal | float, currency: str = "CNY") -> str:
        return str(format_currency(value, currency, locale=self.babel))

    def moment(self, value: datetime, now: datetime) -> str:
        """The time of day alone when `value` falls on `now`'s day (here), else date and time."""
        local = value.astimezone(self.tz)
        if local.date() == now.astimezone(self.tz).date():
            return str(format_time(local, "short", tzinfo=self.tz, locale=self.babel))
        return self.datetime(value)

    def date(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return str(format_date(value, "medium", locale=self.babel))

    def datetime(self, value: datetime) -> str:
        return str(format_datetime(value.astimezone(self.tz), "short", tzinfo=self.tz, locale=self.babel))

    def distance(self, meters: float) -> str:
        if meters < 1000:
            return f"{self.number(meters)} m"
        return f"{self.number(meters / 1000, 1)} km"

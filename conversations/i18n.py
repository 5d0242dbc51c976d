"""Message catalogs (gettext .po, zh-CN and en) and locale-aware formatting via Babel."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
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


@lru_cache(maxsize=2)
def _catalog(locale: str) -> dict[str, str]:
    file = TEXTS / f"{locale.replace('-', '_')}.po"
    with file.open("rb") as fh:
        catalog = read_po(fh, locale=BABEL[locale])
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def catalog_keys(locale: str) -> set[str]:
    return set(_catalog(locale))


def translate(locale: str, key: str, /, **params: object) -> str:
    text = _catalog(locale).get(key) or _catalog("en").get(key)
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

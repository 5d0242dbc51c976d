"""Numbers as dealers type them: 12, 1.5万, 3万5, 十二, 两, 二十五, 一百零五, 两千五, 壹佰.

Written here rather than taken from `cn2an` (≈0.3 s to import, and looser than we want):
only whole forms are accepted, so that a stray numeral inside a product name (三相, 万向节)
is never read as a quantity by accident.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_SCALED = re.compile(r"(\d+(?:\.\d+)?)([十拾百佰千仟])")
_NEXT_LOWER = {10_000: 1000, 1000: 100, 100: 10, 100_000_000: 10_000_000}
"""'3万5' is 35,000 and '两千五' 2,500: a trailing digit counts in the unit below the last one."""


def parse_number(text: str) -> Decimal | None:
    """The value of a whole numeral (Arabic, Chinese or mixed); None when it is not one."""
    text = text.strip()
    if not text:
        return None
    if _ARABIC.fullmatch(text):
        return Decimal(text)
    try:
        return _mixed(text)
    except (ValueError, InvalidOperation):
        return None


def _mixed(text: str) -> Decimal:
    """Sections split by 万/亿 ('1.5万', '一万二千三百', '3万5'), each a small number below 10,000."""
    total = Decimal(0)
    section = ""
    last_big = 0
    for ch in text:
        if ch in BIG_UNITS:
            if not section:
                raise ValueError("a big unit needs a number before it")
            total += _small(section) * BIG_UNITS[ch]
            last_big, section = BIG_UNITS[ch], ""
        else:
            section += ch
    if section:
        tail = _small(section)
        if last_big and _is_single_digit(section):
            tail *= _NEXT_LOWER[last_big]
        total += tail
    return total


def _is_single_digit(section: str) -> bool:
    return len(section) == 1 and (section in DIGITS or section.isdigit())


def _small(section: str) -> Decimal:
    """A number below 10,000: '12', '1.5', '1.5千', '十二', '二十五', '一百零五', '两千五', '十'."""
    if _ARABIC.fullmatch(section):
        return Decimal(section)
    scaled = _SCALED.fullmatch(section)
    if scaled:
        return Decimal(scaled.group(1)) * SMALL_UNITS[scaled.group(2)]
    value, digit, last_unit, gap = 0, None, 10_000, False
    for ch in section:
        if ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_unit or (digit is None and (unit != 10 or value)):
                raise ValueError("units must fall; only a leading 十 stands alone")
            value += (1 if digit is None else digit) * unit
            digit, last_unit, gap = None, unit, False
            continue
        found = DIGITS.get(ch, int(ch) if ch.isdigit() else None)
        if found is None:
            raise ValueError(f"not a numeral: {ch!r}")
        if digit:
            raise ValueError("two digits in a row")
        gap = gap or (found == 0 and last_unit < 10_000)
        digit = found
    if digit:
        # '两千五' is 2,500 and '一百五' 150; after a zero ('一百零五') or 十 the digit is itself.
        value += digit * (last_unit // 10 if 10 < last_unit < 10_000 and not gap else 1)
    return Decimal(value)

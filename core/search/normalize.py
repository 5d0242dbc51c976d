"""Normalised forms of names, phones and codes, computed once when a record is written."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pypinyin import Style, lazy_pinyin

LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团", "股份", "公司", "厂", "分公司",
    "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "co.", "ltd.", "ltd", "inc.", "inc", "corp.", "corporation",
    "group", "company", "limited",
)
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\D+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def fold(text: str) -> str:
    """Full-width to half-width, lower case, collapse spaces."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def strip_legal(name: str) -> str:
    """'苏州恒力机械有限公司' → '苏州恒力机械'; 'Hengli Machinery Co., Ltd.' → 'hengli machinery'."""
    text = fold(name)
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].rstrip(" ,.")
                changed = True
    return text


def compact(text: str) -> str:
    """Only letters, digits and Han characters: '恒力机械(苏州)' → '恒力机械苏州'."""
    return _NON_WORD.sub("", fold(text)).replace("_", "")


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(compact(text))).lower()


def initials(text: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(compact(text), style=Style.FIRST_LETTER) if p).lower()


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def digits(text: str | None) -> str:
    return _DIGITS.sub("", text or "")


def search_text(names: Iterable[str | None], *, codes: Iterable[str | None] = (), phones: Iterable[str | None] = ()) -> str:
    """Every form a person might type, space-separated, for LIKE prefilters and fuzzy scoring."""
    parts: list[str] = []
    for name in names:
        if not name:
            continue
        core_name = strip_legal(name)
        parts += [compact(name), compact(core_name)]
        if has_han(core_name):
            parts += [pinyin(core_name), initials(core_name)]
    parts += [compact(c) for c in codes if c]
    parts += [digits(p) for p in phones if p and digits(p)]
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            seen.setdefault(part, None)
    return " ".join(seen)

"""Normalised forms of names, phones and codes, computed once when a record is written.

`search_text` stores them space-separated: name forms as they are (compact text, pinyin,
initials), codes behind `#`, phone digits behind `+`, e-mail addresses behind `@`, so that
the in-process index can rebuild from the column without calling pypinyin again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, product
from typing import Any

from pypinyin import Style, lazy_pinyin
from pypinyin import pinyin as _pinyin

from core.search.lexicon import (
    COMPOUND_SURNAMES,
    LEGAL_SUFFIXES,
    MAX_PERSON_READINGS,
    PLACE_NAMES,
    SURNAME_READINGS,
)

CODE, PHONE, EMAIL = "#", "+", "@"
TAGS = (CODE, PHONE, EMAIL)
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\D+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_CODE = re.compile(r"^[a-z0-9]+$")
_PLACES_LONGEST_FIRST = sorted(PLACE_NAMES, key=len, reverse=True)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    """OpenCC's traditional → simplified converter, built once (about 10 ms)."""
    import opencc

    return opencc.OpenCC("t2s.json")


def simplified(text: str) -> str:
    """'蘇州恆力機械' → '苏州恒力机械'; text without Han characters is returned as is."""
    return str(_t2s().convert(text)) if _HAN.search(text) else text


def fold(text: str) -> str:
    """Full-width to half-width, traditional to simplified, lower case, collapse spaces."""
    return _SPACE.sub(" ", simplified(unicodedata.normalize("NFKC", text))).strip().lower()


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


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def digits(text: str | None) -> str:
    return _DIGITS.sub("", text or "")


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(compact(text))).lower()


def initials(text: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(compact(text), style=Style.FIRST_LETTER) if p).lower()


def split_place(core: str) -> tuple[str, str]:
    """(the most specific place word, the rest): place words are taken off the start ('中国江苏苏州恒力机械')
    and the end ('恒力机械苏州', from '恒力机械(苏州)'), never from the middle, so that
    '昆山东正纺织' is 昆山 + 东正纺织 and not 山东."""
    head: list[str] = []
    tail: list[str] = []
    rest = core
    for taken, edge in ((head, str.startswith), (tail, str.endswith)):
        found = True
        while found:
            found = False
            for place in _PLACES_LONGEST_FIRST:
                if len(rest) > len(place) and edge(rest, place):
                    taken.append(place)
                    rest = rest[len(place):] if edge is str.startswith else rest[: -len(place)]
                    found = True
                    break
    first = head[-1] if head else (tail[0] if tail else "")
    return first, rest


def name_key(name: str) -> str:
    """The distinctive part of a company name: legal suffix and place names dropped."""
    return split_place(compact(strip_legal(name)))[1]


def _initials_of(syllables: list[str]) -> str:
    return "".join(s[0] for s in syllables if s)


def company_forms(name: str) -> list[str]:
    """Every name form a person may type for a company: Han text (place first and place-free),
    its pinyin and initials, or for a Latin name the compact text with and without places."""
    core = compact(strip_legal(name))
    if not core:
        return []
    place, distinct = split_place(core)
    forms = [core, place + distinct, distinct]
    if has_han(core):
        own = lazy_pinyin(distinct)
        where = lazy_pinyin(place) if place else []
        forms += ["".join(where + own), "".join(own), _initials_of(where + own), _initials_of(own)]
    return _unique(f.lower() for f in forms if len(f) >= 2)


def person_readings(name: str) -> list[tuple[str, ...]]:
    """Syllables of a person's name, the surname read as a surname first (曾 → zeng, 单 → shan),
    then heteronym combinations of the other characters, at most MAX_PERSON_READINGS."""
    han = compact(name)
    if not has_han(han):
        return []
    cut = 2 if han[:2] in COMPOUND_SURNAMES or han[:2] in SURNAME_READINGS else 1
    surname, given = han[:cut], han[cut:]
    special = SURNAME_READINGS.get(surname)
    first: list[tuple[str, ...]] = [(special,)] if special else [tuple(lazy_pinyin(surname))]
    options: list[list[tuple[str, ...]]] = [first]
    for readings in _pinyin(given, heteronym=True, style=Style.NORMAL) if given else []:
        options.append([(r,) for r in dict.fromkeys(readings)])
    combos = [sum(c, ()) for c in islice(product(*options), MAX_PERSON_READINGS)]
    phrase = (*first[0], *lazy_pinyin(given))
    return list(dict.fromkeys([*combos, phrase]))


def person_forms(name: str) -> list[str]:
    """The name itself, each reading in pinyin and each reading's initials."""
    han = compact(name)
    readings = person_readings(han)
    forms = [han] + ["".join(r) for r in readings] + [_initials_of(list(r)) for r in readings]
    return _unique(f.lower() for f in forms if f)


def search_text(
    names: Iterable[str | None],
    *,
    codes: Iterable[str | None] = (),
    phones: Iterable[str | None] = (),
    emails: Iterable[str | None] = (),
    person: bool = False,
) -> str:
    """Every form a person might type, tagged by kind, for the index and for LIKE prefilters."""
    parts: list[str] = []
    for name in names:
        if name:
            parts += person_forms(name) if person else company_forms(name)
    for code in codes:
        key = compact(code or "")
        if key:
            parts.append(CODE + key)
            if _LATIN_CODE.match(key) and len(key) >= 2:
                parts.append(key)
    parts += [PHONE + d for d in (digits(p) for p in phones) if len(d) >= 4]
    parts += [EMAIL + fold(e) for e in emails if e and "@" in e and " " not in fold(e)]
    return " ".join(_unique(p for p in parts if p))


@dataclass
class Forms:
    """A parsed `search_text`."""

    names: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


def parse(text: str) -> Forms:
    forms = Forms()
    for token in text.split():
        tag = token[0]
        if tag == CODE:
            forms.codes.append(token[1:])
        elif tag == PHONE:
            forms.phones.append(token[1:])
        elif tag == EMAIL:
            forms.emails.append(token[1:])
        else:
            forms.names.append(token)
    return forms


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))

"""From a message as typed to segments of tokens: text, counts (with their unit), cues.

Everything is folded first (full-width to half-width, traditional to simplified, lower
case), dates and times are dropped, thousands separators joined ('1,200片'), and the
message is cut at every kind of separator (newlines, commas, 、 ； / | and, 和 …).
A number is only a count when it can be one: '7.5kW', 'DN50' and 'B-200' stay names,
a Chinese numeral glued to a word ('三相') stays a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from core.inventory.lexicon import (
    CJK_UNITS,
    EACH_WORDS,
    LATIN_UNITS,
    SPEC_WORDS,
    UNIT_ALIASES,
    ZERO_WORDS,
)
from core.inventory.numerals import NUMERAL_CHARS, parse_number
from core.search.normalize import fold

MAX_MESSAGE = 4000
_DATES = re.compile(
    r"(?<![a-z\d])(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}[日号]?|\d{1,2}月\d{1,2}[日号]|\d{1,2}[:：]\d{2}(?::\d{2})?(?!\d))"
)
_LIST_MARKS = re.compile(r"^\s*(?:\d{1,2}|[a-z])[.)、]\s*(?=\D)|^\s*[-•*·]\s+", re.MULTILINE)
"""'1. X100 12台', '2) B200 3箱', '- X150 4': list numbering and bullets, not counts."""
_THOUSANDS = re.compile(r"(?<![a-z\d.,])\d{1,3}(?:,\d{3})+(?![\d,]*\d)")
_SEPARATORS = re.compile(r"[\n\r;,、。|/\t]+|\s+(?:and|&|\+)\s+|(?<=\S)\s*(?:以及|和|及|另外)\s*(?=\S)")
_NUMERAL_CLASS = f"[{NUMERAL_CHARS}]"
_TOKEN = re.compile(
    "|".join(
        (
            "(?P<zero>" + "|".join(re.escape(w) for w in ZERO_WORDS) + ")",
            r"(?P<num>(?:(?<![a-z\d])-(?=\d)|负\s?)?\d+(?:\.\d+)?(?:[万千百](?:\d+(?:\.\d+)?|[一二两三四五六七八九])?)*)",
            f"(?P<cn>{_NUMERAL_CLASS}+)",
            r"(?P<code>[a-z]+(?:[-_]?\d[\da-z]*)+)",
            r"(?P<latin>[a-z]+(?:'[a-z]+)?)",
            rf"(?P<han>(?:(?!{_NUMERAL_CLASS})[\u3400-\u9fff])+)",
            r"(?P<cue>[×*:=])",
        )
    )
)
_TIMES = re.compile(r"x(\d+)")


@dataclass
class Tok:
    """One piece of a segment."""

    kind: str
    """'text', 'qty', 'cue' or 'each'."""
    text: str
    value: Decimal | None = None
    unit: str | None = None
    strong: bool = False
    """A count beyond doubt: it has a unit, a cue (×, :, =) or is a word for none."""
    glued: bool = False
    """No space before it."""
    negative: bool = False
    times: bool = False
    """'x12' after a product: a count unless the catalog has such a code."""


def normalise(text: str) -> str:
    text = "\n".join(fold(line) for line in text[:MAX_MESSAGE].splitlines())
    text = _LIST_MARKS.sub("", _DATES.sub(" ", text))
    return _THOUSANDS.sub(lambda m: _join_thousands(m, text), text)


def _join_thousands(m: re.Match[str], text: str) -> str:
    """'1,200片' and '1,200' at the end are 1200; '12,150 3' is two segments."""
    rest = text[m.end():].lstrip(" ")
    if not rest or rest[0] in ",;、。|/\n" or any(rest.startswith(u) for u in (*CJK_UNITS, *LATIN_UNITS)):
        return m.group().replace(",", "")
    return m.group()


def segments(text: str) -> list[str]:
    return [s.strip() for s in _SEPARATORS.split(normalise(text)) if s and s.strip()]


def tokens(segment: str) -> list[Tok]:
    found: list[Tok] = []
    end = 0
    for m in _TOKEN.finditer(segment):
        glued = m.start() == end and end > 0
        end = m.end()
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "zero":
            found.append(Tok("qty", text, Decimal(0), strong=True, glued=glued))
        elif kind in ("num", "cn"):
            found.append(_number(text, glued))
        elif kind == "cue":
            found.append(Tok("cue", text, glued=glued))
        elif kind == "han":
            found += _han(text, glued)
        elif text in EACH_WORDS:
            found.append(Tok("each", text, glued=glued))
        else:
            times = _TIMES.fullmatch(text)
            tok = Tok("text", text, glued=glued)
            if times:
                tok.value, tok.times = Decimal(times.group(1)), True
            found.append(tok)
    return _attach(found)


def _number(text: str, glued: bool) -> Tok:
    negative = text.startswith(("-", "负"))
    digits = text.lstrip("-负 ")
    value = parse_number(digits)
    if value is None:
        return Tok("text", text, glued=glued)
    return Tok("qty", f"-{digits}" if negative else digits, -value if negative else value, glued=glued, negative=negative)


def _han(text: str, glued: bool) -> list[Tok]:
    """A Han run, with '各' split off its end: 'B200各' + '5台'."""
    if len(text) > 1 and text.endswith("各"):
        return [Tok("text", text[:-1], glued=glued), Tok("each", "各", glued=True)]
    if text == "各":
        return [Tok("each", text, glued=glued)]
    return [Tok("text", text, glued=glued)]


def _attach(toks: list[Tok]) -> list[Tok]:
    """Units and cues onto counts; spec words and numerals glued to words back into names."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "qty" and out and out[-1].kind == "cue":
            tok.strong = True
        used = _with_next(tok, nxt, out) if tok.kind == "qty" and nxt is not None and nxt.kind == "text" else 0
        if not used:
            out.append(tok)
            used = 1
        i += used
    return [t for t in out if t.kind != "cue"]


def _with_next(tok: Tok, nxt: Tok, out: list[Tok]) -> int:
    """A count followed by a word: its unit, a spec ('22 kW'), or a name ('三相'); 0: neither."""
    word, han = nxt.text, not nxt.text.isascii()
    chinese_numeral = tok.text[:1] in NUMERAL_CHARS
    if han and word[0] in CJK_UNITS and not (chinese_numeral and tok.negative):
        tok.unit, tok.strong = word[0], True
        out.append(tok)
        if len(word) == 1:
            return 2
        nxt.text, nxt.glued = word[1:], True
        return 1
    if not han and word in UNIT_ALIASES:
        tok.unit, tok.strong = UNIT_ALIASES[word], True
        out.append(tok)
        return 2
    if (han and chinese_numeral and nxt.glued) or (not han and (word in SPEC_WORDS or nxt.glued)):
        out.append(Tok("text", f"{tok.text}{word}", glued=tok.glued))
        return 2
    return 0

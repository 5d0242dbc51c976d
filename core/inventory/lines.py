"""From a segment's tokens to report lines: which words name a product, which number counts it.

Most people write the product first ('X100 12台'), some the count first ('12台X100');
both readings are tried when a segment starts with a count and the one that leaves
fewer words without a count (or counts without words) wins. A bare number between
a name and another number belongs to the name ('轴承 6205 30个'); one before a name
with nothing else in front is part of it ('6205轴承').
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from core.inventory.lexicon import EDGE_NOISE, LATIN_NOISE, NOISE_WORDS, SYNONYMS, VAGUE_WORDS
from core.inventory.scan import Tok, segments, tokens

_NOISE_LONGEST_FIRST = sorted(NOISE_WORDS, key=len, reverse=True)
_CODE = re.compile(r"[a-z]+[-_]?\d[\da-z]*|\d{3,}")
_LETTERS = re.compile(r"[a-z]{1,3}")
IsCode = Callable[[str], bool]


def _never(_: str) -> bool:
    return False


@dataclass(frozen=True)
class RawLine:
    """One product mention and its count, before the catalog is asked."""

    words: tuple[str, ...]
    """The mention's words, folded, filler removed: ('x100', '水泵')."""
    value: Decimal | None = None
    unit: str | None = None
    """As typed, normalised: '台', '箱', 'box', 'pcs'; None: no unit given."""
    qty_text: str = ""
    """The count as typed ('十二', '1.5万'), for messages."""
    each: bool = False
    source: str = ""
    """The segment it came from."""

    @property
    def mention(self) -> str:
        return " ".join(self.words)


def is_code_word(word: str) -> bool:
    return bool(_CODE.fullmatch(word))


def clean_word(word: str) -> str:
    """Filler out, synonyms in: '还有' → '', '马达' → '电机', 'stock' → ''."""
    if word.isascii():
        return "" if word in LATIN_NOISE else SYNONYMS.get(word, word)
    for noise in _NOISE_LONGEST_FIRST:
        word = word.replace(noise, "")
    while word and word[0] in EDGE_NOISE:
        word = word[1:]
    while word and word[-1] in EDGE_NOISE:
        word = word[:-1]
    for said, meant in SYNONYMS.items():
        word = word.replace(said, meant)
    return word


def parse_lines(text: str, is_code: IsCode = _never) -> list[RawLine]:
    """Every line of a message, in order, with counts-only and names-only neighbours joined."""
    found: list[RawLine] = []
    for segment in segments(text):
        found += segment_lines(segment, is_code)
    return _join_neighbours(_spread_each(found))


def segment_lines(segment: str, is_code: IsCode = _never) -> list[RawLine]:
    toks = _prepare(tokens(segment), is_code)
    if not toks:
        return []
    readings = [_name_first(toks, segment)]
    if toks[0].kind == "qty":
        readings.append(_count_first(toks, segment))
    return max(readings, key=_score)


def _prepare(toks: list[Tok], is_code: IsCode) -> list[Tok]:
    """Filler dropped, 'X 100' joined when X100 is a code, 'x12' after a name read as ×12."""
    out: list[Tok] = []
    for tok in toks:
        if tok.kind == "text":
            if tok.text in VAGUE_WORDS:
                out.append(Tok("qty", tok.text, None, strong=True, glued=tok.glued))
                continue
            word = clean_word(tok.text)
            if not word:
                continue
            tok = replace(tok, text=word)
            if tok.times and any(t.kind == "text" for t in _since_count(out)) and not is_code(word):
                tok = Tok("qty", word[1:], tok.value, strong=True, glued=tok.glued)
        elif tok.kind == "qty" and not tok.strong and out and out[-1].kind == "text" and _LETTERS.fullmatch(out[-1].text):
            if tok.value is not None and is_code(out[-1].text + tok.text):
                out[-1] = replace(out[-1], text=out[-1].text + tok.text)
                continue
        out.append(tok)
    return out


def _since_count(toks: list[Tok]) -> list[Tok]:
    for i in range(len(toks) - 1, -1, -1):
        if toks[i].kind == "qty":
            return toks[i + 1 :]
    return toks


def _line(words: Sequence[str], tok: Tok | None, each: bool, source: str) -> RawLine:
    if tok is None:
        return RawLine(tuple(words), each=each, source=source)
    return RawLine(tuple(words), tok.value, tok.unit, tok.text, each, source)


def _name_first(toks: list[Tok], source: str) -> list[RawLine]:
    lines: list[RawLine] = []
    words: list[str] = []
    each = False
    for i, tok in enumerate(toks):
        if tok.kind == "each":
            each = True
            continue
        if tok.kind == "text":
            words.append(tok.text)
            continue
        nxt = next((t for t in toks[i + 1 :] if t.kind != "each"), None)
        if not tok.strong and nxt is not None and _in_name(tok, toks[i - 1] if i else None, nxt, words):
            words.append(tok.text)  # part of the name: '轴承 6205 30个', '6205轴承 30个', '轴径35机械密封'
            continue
        lines.append(_line(words, tok, each, source))
        words, each = [], False
    if words:
        lines.append(_line(words, None, each, source))
    return lines


def _in_name(tok: Tok, prev: Tok | None, nxt: Tok, words: list[str]) -> bool:
    """A bare number that is part of the product's name rather than its count."""
    if nxt.kind == "qty":
        return bool(words)
    if not words:
        return True
    glued_han = prev is not None and prev.kind == "text" and not prev.text.isascii() and not nxt.text.isascii()
    return glued_han and tok.glued and nxt.glued


def _count_first(toks: list[Tok], source: str) -> list[RawLine]:
    lines: list[RawLine] = []
    count: Tok | None = None
    words: list[str] = []
    for tok in toks:
        if tok.kind == "qty":
            if count is not None or words:
                lines.append(_line(words, count, False, source))
            count, words = tok, []
        elif tok.kind == "text":
            words.append(tok.text)
    if count is not None or words:
        lines.append(_line(words, count, False, source))
    return lines


def _score(lines: list[RawLine]) -> int:
    complete = sum(1 for ln in lines if ln.words and ln.value is not None)
    return 2 * complete - (len(lines) - complete)


def _spread_each(lines: list[RawLine]) -> list[RawLine]:
    """'X100、B200各5台' and 'X100 B200 各5台': every product named gets the count."""
    out: list[RawLine] = []
    for line in lines:
        if not line.each or line.value is None:
            out.append(line)
            continue
        codes = [w for w in line.words if is_code_word(w)]
        own = [RawLine((c,), line.value, line.unit, line.qty_text, False, line.source) for c in codes] if len(codes) > 1 else [replace(line, each=False)]
        while out and out[-1].value is None and out[-1].words:
            own.insert(0, replace(out.pop(), value=line.value, unit=line.unit, qty_text=line.qty_text))
        out += own
    return out


def _join_neighbours(lines: list[RawLine]) -> list[RawLine]:
    """'X100水泵' then '12台' on the next line are one line."""
    out: list[RawLine] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is not None and prev.value is None and prev.words and not line.words and line.value is not None:
            out[-1] = replace(line, words=prev.words, source=f"{prev.source} {line.source}")
            continue
        out.append(line)
    return out

"""Which product a mention names: by SKU, by every word of it, or by the typo-tolerant search.

- SKU first ('X100', 'b-200', 'x1oo' read as x100): a code is what dealers trust most;
  but when the words name one product that contains the code without being it
  ('X100 叶轮' is the impeller *for* X100), the words win.
- Otherwise the products whose name forms contain every word (Chinese, English,
  pinyin): one is an answer, several a question ('离心水泵': X100 or X150?).
- Otherwise the shared fuzzy search: one clear best is an answer, anything less is
  "did you mean …".
A dealer with an assortment is matched against it first; a product outside it is named
as such, never stored.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.inventory.lines import is_code_word

MAX_CHOICES = 6
MAX_SUGGESTIONS = 3
FUZZY_SURE, FUZZY_MARGIN = 70.0, 10.0
"""A fuzzy-only match is taken when it scores this much and leads the next by this margin."""
_DIGIT_PART = re.compile(r"^([a-z]+[-_]?)(\d[\da-z]*)$")
_LOOKALIKE = str.maketrans({"o": "0", "l": "1", "i": "1"})


class Catalog(Protocol):
    def by_code(self, code: str) -> list[int]: ...

    def containing(self, words: Sequence[str]) -> list[int]: ...

    def ranked(self, text: str, limit: int = 5) -> list[tuple[int, float]]: ...


class Found(enum.StrEnum):
    RESOLVED = "resolved"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"
    """Nothing sure: `ids` are "did you mean" suggestions (maybe none)."""
    NOT_CARRIED = "not_carried"
    """The product is clear but outside the dealer's assortment."""
    MISSING = "missing"
    """No product words at all ('12台')."""


@dataclass(frozen=True)
class Resolution:
    found: Found
    ids: tuple[int, ...] = ()
    how: str = ""
    """'code', 'words' or 'fuzzy'."""

    @property
    def product_id(self) -> int | None:
        return self.ids[0] if self.found == Found.RESOLVED else None


def code_variants(word: str) -> list[str]:
    """'x1oo' → ['x1oo', 'x100']: letters typed for digits inside the number part."""
    m = _DIGIT_PART.match(word)
    if not m:
        return [word]
    fixed = m.group(1) + m.group(2).translate(_LOOKALIKE)
    return list(dict.fromkeys([word, fixed]))


def resolve(words: Sequence[str], catalog: Catalog, carried: Collection[int] | None = None) -> Resolution:
    if not words:
        return Resolution(Found.MISSING)
    codes = [v for w in words if is_code_word(w) for v in code_variants(w)]
    by_code = list(dict.fromkeys(pid for c in codes for pid in catalog.by_code(c)))
    fixed = [code_variants(w)[-1] if is_code_word(w) else w for w in words]
    containing = catalog.containing(fixed)
    if by_code and containing:
        both = [p for p in by_code if p in containing]
        by_code = both or (containing if len(containing) == 1 else by_code)
    if by_code:
        return _choose(by_code, carried, "code")
    if containing:
        return _choose(containing, carried, "words")
    ranked = catalog.ranked(" ".join(fixed), limit=MAX_CHOICES)
    return _partly(fixed, catalog, ranked, carried) or _fuzzy(ranked, carried)


def _partly(words: Sequence[str], catalog: Catalog, ranked: list[tuple[int, float]], carried: Collection[int] | None) -> Resolution | None:
    """A mistyped word beside an exact one ('shenggouqiuzhoucheng 6207'): the products containing the
    words that do occur, if exactly one of them is also among the fuzzy search's best."""
    kept = [w for w in words if catalog.containing([w])]
    if not kept or len(kept) == len(words) or not ranked:
        return None
    top = ranked[0][1]
    close = {p for p, s in ranked if s >= top - FUZZY_MARGIN}
    both = [p for p in catalog.containing(kept) if p in close]
    return _choose(both, carried, "fuzzy") if len(both) == 1 else None


def _choose(ids: list[int], carried: Collection[int] | None, how: str) -> Resolution:
    if carried:
        theirs = [p for p in ids if p in carried]
        if not theirs:
            return Resolution(Found.NOT_CARRIED, tuple(ids[:MAX_CHOICES]), how)
        ids = theirs
    if len(ids) == 1:
        return Resolution(Found.RESOLVED, (ids[0],), how)
    return Resolution(Found.AMBIGUOUS, tuple(ids[:MAX_CHOICES]), how)


def _fuzzy(ranked: list[tuple[int, float]], carried: Collection[int] | None) -> Resolution:
    if carried:
        ranked = [(p, s) for p, s in ranked if p in carried] or ranked
    if not ranked:
        return Resolution(Found.UNKNOWN, (), "fuzzy")
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if top >= FUZZY_SURE and top - second >= FUZZY_MARGIN:
        return _choose([ranked[0][0]], carried, "fuzzy")
    return Resolution(Found.UNKNOWN, tuple(p for p, _ in ranked[:MAX_SUGGESTIONS]), "fuzzy")

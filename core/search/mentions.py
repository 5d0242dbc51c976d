"""Many product mentions against the product index at once, without the database.

A stock report names five or ten products in one message; each mention is matched
here in microseconds: exact SKUs through the index's code table, "every word of the
mention occurs in a name form" through the gram postings (an AND over the grams of
all words, then a substring check on the few slots left), and the shared typo-tolerant
matcher only for what neither finds. Every form the index keeps counts: Chinese,
English, pinyin and initials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from core.search.grams import PREFIX, token_grams
from core.search.matcher import match, names_part, parse_query
from core.search.normalize import CODE, compact, has_han
from core.search.textindex import TextIndex

QUALIFIERS = ("轴径", "口径", "直径", "功率", "流量", "扬程", "规格", "型号", "系列", "用", "型", "式")
"""Words after a product's noun that qualify it rather than name another product."""
TOP = 64
"""Slots sharing the most (and rarest) grams with the words; every one is then checked by substring."""
MAX_CONTAINING = 50


@lru_cache(maxsize=4096)
def _bounded(word: str) -> re.Pattern[str]:
    """A code-like word matches whole: 'x100' is in 'x100离心水泵' and '叶轮x100用', not in 'x1000' or 'nx100'."""
    code = word[0].isascii() and word[0].isalpha() and any(c.isdigit() for c in word)
    left = r"(?<![a-z])" if code else ""
    right = r"(?!\d)" if word[-1].isdigit() else ""
    return re.compile(left + re.escape(word) + right)


def _is_head(word: str, form: str) -> bool:
    """Does a Chinese word name this product, or only modify another noun in its name? '螺杆空压机'
    names C37 (c37螺杆空压机) but modifies the oil in '螺杆空压机专用油'; a qualifier such as 轴径
    or 用 after it ('机械密封轴径25mm') leaves it the head."""
    at = form.find(word)
    if at < 0 or not has_han(word):
        return True
    rest = form[at + len(word):]
    run = rest[: next((i for i, ch in enumerate(rest) if not has_han(ch)), len(rest))]
    return not run or run.startswith(QUALIFIERS)


def _inner_grams(word: str) -> list[int]:
    """The word's bigrams and trigrams, not its prefix gram: it may stand anywhere in a form."""
    return [g for g in token_grams(word) if g >> 42 != PREFIX >> 42]


class ProductCatalog:
    """The active products of one index, as one consistent view for one message."""

    def __init__(self, index: TextIndex, *, candidates: int = 200) -> None:
        self.index = index
        self.candidates = candidates

    def _entities(self, slots: Iterable[int]) -> list[int]:
        ix = self.index
        return list(dict.fromkeys(int(ix.cols["entity"][s]) for s in slots if ix.alive[s] and ix.cols["active"][s]))

    def by_code(self, code: str) -> list[int]:
        """Active products whose SKU is exactly `code` (case, dashes and spaces aside)."""
        key = compact(code)
        return self._entities(self.index.exact(CODE, key)) if key else []

    def containing(self, words: Sequence[str]) -> list[int]:
        """Active products with a name form containing every word, shortest names first."""
        keys = [k for k in (compact(w) for w in words) if k]
        grams = list(dict.fromkeys(g for k in keys for g in _inner_grams(k)))
        if not keys or not grams:
            return []
        slots, scores = self.index.gram_scores(grams)
        if len(slots) == 0:
            return []
        if len(slots) > TOP:
            slots = slots[np.argpartition(-scores, TOP)[:TOP]]
        texts = self.index.texts
        patterns = [_bounded(k) for k in keys]
        found = [int(s) for s in slots.tolist() if all(p.search(names_part(texts[s])) for p in patterns)]
        found.sort(key=lambda s: (len(names_part(texts[s]).split(" ", 1)[0]), s))
        heads = [s for s in found if all(_is_head(k, names_part(texts[s]).split(" ", 1)[0]) for k in keys)]
        return self._entities((heads or found)[:MAX_CONTAINING])

    def ranked(self, text: str, limit: int = 5) -> list[tuple[int, float]]:
        """The shared matcher's best products for `text` (typos, pinyin), score 0–100."""
        query = parse_query(text)
        if query is None:
            return []
        found = match(self.index, query, candidates=self.candidates)
        ix = self.index
        order = sorted(
            ((slot, score) for slot, score in found.items() if ix.alive[slot] and ix.cols["active"][slot]),
            key=lambda kv: (-kv[1], kv[0]),
        )
        return [(int(ix.cols["entity"][slot]), float(score)) for slot, score in order[:limit]]


def standalone_catalog(rows: Iterable[tuple[int, str, bool]]) -> ProductCatalog:
    """A catalog over (id, search_text, active) rows, outside any running search (tests, benchmarks)."""
    items = list(rows)
    index = TextIndex({"active": np.bool_})
    index.rebuild(
        [text for _, text, _ in items],
        {"entity": np.asarray([i for i, _, _ in items], np.int64), "active": np.asarray([a for _, _, a in items], bool)},
    )
    return ProductCatalog(index)

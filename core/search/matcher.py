"""From what a person typed to scored slots of one index: exact codes, phone endings,
e-mails, then gram candidates rescored with rapidfuzz against every stored name form."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from core.search.grams import I32, prefix_range, token_grams
from core.search.normalize import CODE, EMAIL, TAGS, compact, digits, fold, split_place, strip_legal
from core.search.textindex import F64, TextIndex

MAX_QUERY = 100
MIN_SCORE = 60.0
"""Below this a candidate is not shown at all."""
CANDIDATES = 200
"""Gram candidates rescored per query (the best by shared-gram rarity, ties by recency/closeness)."""
EXACT, PREFIX, CONTAINS, FUZZY_SCALE = 100.0, 96.0, 92.0, 0.85
DISTINCT_WEIGHT, OTHER_PLACE_WEIGHT = 0.97, 0.9
"""A match on the name without its place word ranks just below a match on the whole name, and
further below when the query named a place (the record may be the same name in another city)."""
_PHONE_LIKE = re.compile(r"^[\d\s\-+()（）]+$")
_ASCII = re.compile(r"[\x00-\x7f]")


@dataclass(frozen=True)
class Query:
    forms: tuple[tuple[str, float], ...]
    """(form, weight): the name as typed (legal suffix dropped), place-first, place-free."""
    grams: tuple[int, ...]
    prefix_ranges: tuple[tuple[int, int], ...]
    code: str
    phone: str | None
    email: str | None


def parse_query(raw: str) -> Query | None:
    text = fold(raw)[:MAX_QUERY]
    core = compact(strip_legal(text)) or compact(text)
    if not core and "@" not in text:
        return None
    place, distinct = split_place(core)
    weighted = {core: 1.0}
    weighted.setdefault(place + distinct, 1.0)
    if len(distinct) >= 2:
        weighted.setdefault(distinct, OTHER_PLACE_WEIGHT if place else DISTINCT_WEIGHT)
    forms = tuple((f, w) for f, w in weighted.items() if f)
    grams = tuple(dict.fromkeys(g for f, _ in forms for g in token_grams(f)))
    ranges = (prefix_range(core),) if len(core) == 1 else ()
    number = digits(text)
    phone = None
    if len(number) >= 4 and _PHONE_LIKE.match(text):
        phone = number[2:] if len(number) == 13 and number.startswith("86") else number
    email = text if "@" in text and " " not in text else None
    return Query(forms, grams, ranges, compact(text), phone, email)


Tiebreak = Callable[[I32], F64]


def match(index: TextIndex, query: Query, *, tiebreak: Tiebreak | None = None, candidates: int = CANDIDATES) -> dict[int, float]:
    """Slot → score (0-100) of every record that matches well enough."""
    found: dict[int, float] = {}
    if query.code:
        for slot in index.exact(CODE, query.code):
            found[slot] = EXACT
    if query.email:
        for slot in index.exact(EMAIL, query.email):
            found[slot] = EXACT
    if query.phone:
        for slot in index.phone(query.phone):
            found[slot] = max(found.get(slot, 0.0), EXACT - 1)
    slots, scores = index.gram_scores(list(query.grams), list(query.prefix_ranges))
    if len(slots) == 0:
        return found
    if tiebreak is not None:
        scores = scores + 1e-3 * tiebreak(slots)
    if len(slots) > candidates:
        top = np.argpartition(-scores, candidates)[:candidates]
        slots = slots[top]
    quality = rescore(query, [index.texts[s] for s in slots.tolist()])
    for slot, q in zip(slots.tolist(), quality.tolist(), strict=True):
        if q >= MIN_SCORE and q > found.get(slot, 0.0):
            found[slot] = q
    return found


def names_part(text: str) -> str:
    """The name forms of a `search_text` (they come first; tagged codes, phones, e-mails follow)."""
    cut = min((at for tag in TAGS if (at := text.find(" " + tag)) >= 0), default=len(text))
    return "" if text[:1] in TAGS else text[:cut]


def rescore(query: Query, texts: list[str]) -> F64:
    """Best quality of each text's name forms against the query forms: exact, prefix and
    substring tests on the whole text at once, rapidfuzz (in C, in bulk) for the rest."""
    names = [names_part(t) for t in texts]
    spaced = [f" {n} " for n in names]
    keys = [n.split() for n in names]
    flat = [k for ks in keys for k in ks]
    owner = np.repeat(np.arange(len(texts)), [len(ks) for ks in keys])
    lengths = np.fromiter((len(k) for k in flat), dtype=np.int64, count=len(flat))
    latin: np.ndarray | None = None  # type: ignore[type-arg]
    best = np.zeros(len(texts))
    count = len(texts)
    for form, weight in query.forms:
        exact = np.fromiter((f" {form} " in s for s in spaced), dtype=bool, count=count)
        prefix = np.fromiter((f" {form}" in s for s in spaced), dtype=bool, count=count)
        contains = np.fromiter((form in n for n in names), dtype=bool, count=count)
        fuzzy = np.zeros(count)
        worth = ~contains[owner]
        if _ASCII.search(form) is None:
            # A form in Chinese shares no character with a key in plain ASCII (pinyin, initials,
            # English), so rapidfuzz would score it 0: those keys, most of each record's, are skipped.
            latin = np.fromiter((k.isascii() for k in flat), dtype=bool, count=len(flat)) if latin is None else latin
            worth &= ~latin
        pending = np.flatnonzero(worth) if len(form) >= 3 and flat else np.empty(0, np.int64)
        if len(pending):
            np.maximum.at(fuzzy, owner[pending], _fuzzy(form, [flat[i] for i in pending.tolist()], lengths[pending]))
        quality = np.where(exact, EXACT, np.where(prefix, PREFIX, np.where(contains, CONTAINS, fuzzy)))
        best = np.maximum(best, quality * weight)
    return best


def _fuzzy(form: str, flat: list[str], lengths: np.ndarray) -> F64:  # type: ignore[type-arg]
    """Typo-tolerant similarity: whole-form ratio, or the best window when the form is a fragment."""
    best = np.asarray(process.cdist([form], flat, scorer=fuzz.ratio, dtype=np.float32)[0], dtype=np.float64)
    longer = np.flatnonzero(lengths >= len(form))
    if len(longer):
        partial = process.cdist([form], [flat[i] for i in longer.tolist()], scorer=fuzz.partial_ratio, dtype=np.float32)[0]
        best[longer] = np.maximum(best[longer], partial * 0.95)
    return np.asarray(FUZZY_SCALE * best, dtype=np.float64)

"""An in-process index over the `search_text` of many records (customers, contacts, products).

Each version of a record lives in a *slot*; a changed record gets a new slot and its old
one is marked dead, so that the big arrays are never edited in place. Slots built together
form the main part (gram postings in CSR form: sorted codes, offsets, slots); slots added
later form a small delta kept in dicts until the next compaction folds them in.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

from core.search.grams import I32, I64, table_grams, token_grams
from core.search.normalize import CODE, EMAIL, PHONE, parse

F64 = npt.NDArray[np.float64]
GRAM_BUDGET = 400_000
"""Postings read per query at most; the rarest grams are always read first."""
_TAGGED = re.compile(r"(?:^|[ \n])([#@+])(\S+)")


def _exact_key(kind: str, value: str) -> int:
    return hash((kind, value))


class TextIndex:
    """Gram postings, exact keys (codes, e-mails) and phone endings over slots of one kind."""

    def __init__(self, columns: dict[str, Any] | None = None) -> None:
        self.column_types: dict[str, Any] = {"entity": np.int64, **(columns or {})}
        self.texts: list[str] = []
        self._slot_by_entity: I32 = np.full(0, -1, np.int32)
        """Current slot of each record id (-1: none): an array, not a dict, to stay small at 1M."""
        self._live = 0
        self.cols: dict[str, Any] = {}
        """Per-slot numpy columns: 'entity' (the record's id) and the kind's own."""
        self.alive: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self._size = 0
        self._main = 0
        self._vocab: I64 = np.empty(0, np.int64)
        self._offsets: I64 = np.zeros(1, np.int64)
        self._postings: I32 = np.empty(0, np.int32)
        self._exact_keys: I64 = np.empty(0, np.int64)
        self._exact_slots: I32 = np.empty(0, np.int32)
        self._last4_keys: I64 = np.empty(0, np.int64)
        self._last4_slots: I32 = np.empty(0, np.int32)
        self._delta_grams: dict[int, list[int]] = defaultdict(list)
        self._delta_exact: dict[int, list[int]] = defaultdict(list)
        self._delta_last4: dict[int, list[int]] = defaultdict(list)
        self._allocate(0)

    # -- size ----------------------------------------------------------------
    @property
    def size(self) -> int:
        """Slots in use (live or dead)."""
        return self._size

    @property
    def live(self) -> int:
        return self._live

    def slot_of(self, entity: int) -> int | None:
        """The live slot of a record, if it is indexed."""
        if 0 <= entity < len(self._slot_by_entity):
            slot = int(self._slot_by_entity[entity])
            return slot if slot >= 0 else None
        return None

    def _point(self, entity: int, slot: int) -> None:
        if entity >= len(self._slot_by_entity):
            grown = np.full(max(entity + 1, 2 * len(self._slot_by_entity), 16), -1, np.int32)
            grown[: len(self._slot_by_entity)] = self._slot_by_entity
            self._slot_by_entity = grown
        self._slot_by_entity[entity] = slot

    @property
    def delta(self) -> int:
        return self._size - self._main

    def _allocate(self, capacity: int) -> None:
        old = self.alive
        self.alive = np.zeros(capacity, dtype=bool)
        self.alive[: len(old)] = old
        for name, dtype in self.column_types.items():
            grown = np.zeros(capacity, dtype=dtype)
            if name in self.cols:
                grown[: self._size] = self.cols[name][: self._size]
            self.cols[name] = grown

    # -- building --------------------------------------------------------------
    def rebuild(self, texts: list[str], columns: dict[str, Any]) -> None:
        """Replace everything with these records; `columns['entity']` holds their ids."""
        n = len(texts)
        self.texts = list(texts)
        self.cols = {}
        self.alive = np.ones(n, dtype=bool)
        for name, dtype in self.column_types.items():
            self.cols[name] = np.asarray(columns[name], dtype=dtype).copy()
        entities = self.cols["entity"]
        self._slot_by_entity = np.full(int(entities.max()) + 1 if n else 0, -1, np.int32)
        self._slot_by_entity[entities] = np.arange(n, dtype=np.int32)
        self._live = n
        self._size = self._main = n
        self._build_grams(texts)
        self._build_exact(texts)
        release_free_memory()
        self._delta_grams.clear()
        self._delta_exact.clear()
        self._delta_last4.clear()

    def _build_grams(self, texts: list[str]) -> None:
        codes_parts: list[I64] = []
        slot_parts: list[I32] = []
        chunk = 20_000
        for first in range(0, len(texts), chunk):
            codes, records = table_grams(texts[first : first + chunk])
            codes_parts.append(codes)
            slot_parts.append(records + np.int32(first))
        codes = np.concatenate(codes_parts) if codes_parts else np.empty(0, np.int64)
        slots = np.concatenate(slot_parts) if slot_parts else np.empty(0, np.int32)
        # Sorting values is far faster than argsort: number the grams, pack (gram, slot) into
        # one int64, sort, drop repeats; postings come out grouped by gram, slots ascending.
        vocab = _sorted_unique(codes)
        packed = np.searchsorted(vocab, codes).astype(np.int64) << 32 | slots.astype(np.int64)
        del codes, slots
        packed = _sorted_unique(packed)
        gram = packed >> 32
        self._vocab = vocab
        self._offsets = np.searchsorted(gram, np.arange(len(vocab) + 1)).astype(np.int64)
        self._postings = (packed & 0xFFFFFFFF).astype(np.int32)

    def _build_exact(self, texts: list[str]) -> None:
        """Codes and e-mails by hash, phones by their last four digits: one regex pass per chunk."""
        exact_keys: list[int] = []
        exact_slots: list[I64] = []
        last4_keys: list[int] = []
        last4_slots: list[I64] = []
        chunk = 20_000
        for first in range(0, len(texts), chunk):
            part = texts[first : first + chunk]
            starts = np.cumsum([0] + [len(t) + 1 for t in part])[:-1]
            positions: dict[str, list[int]] = {PHONE: [], CODE: []}
            for m in _TAGGED.finditer("\n".join(part)):
                tag, value = m.group(1), m.group(2)
                if tag == PHONE:
                    last4_keys.append(int(value[-4:]))
                    positions[PHONE].append(m.start(2))
                else:
                    exact_keys.append(_exact_key(tag, value))
                    positions[CODE].append(m.start(2))
            last4_slots.append(np.searchsorted(starts, positions[PHONE], "right") - 1 + first)
            exact_slots.append(np.searchsorted(starts, positions[CODE], "right") - 1 + first)
        self._exact_keys, self._exact_slots = _sorted_table(exact_keys, _joined(exact_slots))
        self._last4_keys, self._last4_slots = _sorted_table(last4_keys, _joined(last4_slots))

    # -- changes ---------------------------------------------------------------
    def upsert(self, entity: int, text: str, **values: float | bool) -> int:
        """A new slot for this record's current version; the previous one dies."""
        self.remove(entity)
        slot = self._size
        if slot >= len(self.alive):
            self._allocate(max(16, 2 * len(self.alive)))
        self._size += 1
        self.texts.append(text)
        self.alive[slot] = True
        self.cols["entity"][slot] = entity
        for name, value in values.items():
            self.cols[name][slot] = value
        self._point(entity, slot)
        self._live += 1
        forms = parse(text)
        for form in forms.names:
            for code in token_grams(form):
                self._delta_grams[code].append(slot)
        for tag, keys in ((CODE, forms.codes), (EMAIL, forms.emails)):
            for key in keys:
                self._delta_exact[_exact_key(tag, key)].append(slot)
        for phone in forms.phones:
            self._delta_last4[int(phone[-4:])].append(slot)
        return slot

    def remove(self, entity: int) -> None:
        slot = self.slot_of(entity)
        if slot is not None:
            self.alive[slot] = False
            self._slot_by_entity[entity] = -1
            self._live -= 1

    # -- lookups -----------------------------------------------------------------
    def exact(self, tag: str, value: str) -> list[int]:
        """Live slots whose code (or e-mail) is exactly `value`."""
        key = _exact_key(tag, value)
        found = _lookup(self._exact_keys, self._exact_slots, key) + self._delta_exact.get(key, [])
        return [s for s in dict.fromkeys(found) if self.alive[s] and value in getattr(parse(self.texts[s]), _FIELD[tag])]

    def phone(self, number: str) -> list[int]:
        """Live slots with a phone number ending in `number` (at least 4 digits)."""
        key = int(number[-4:])
        found = _lookup(self._last4_keys, self._last4_slots, key) + self._delta_last4.get(key, [])
        return [s for s in dict.fromkeys(found) if self.alive[s] and any(p.endswith(number) for p in parse(self.texts[s]).phones)]

    def gram_scores(self, codes: list[int], prefix_ranges: list[tuple[int, int]] | None = None) -> tuple[I32, F64]:
        """Live slots sharing grams with the query, scored by the summed rarity (IDF) of those grams."""
        lists: list[tuple[int, list[I32]]] = []
        for code in codes:
            parts = self._main_postings(code)
            extra = self._delta_grams.get(code)
            if extra:
                parts.append(np.asarray(extra, dtype=np.int32))
            df = sum(len(p) for p in parts)
            if df:
                lists.append((df, parts))
        for low, high in prefix_ranges or []:
            parts = [self._main_range(low, high)]
            parts += [np.asarray(v, np.int32) for k, v in self._delta_grams.items() if low <= k < high]
            df = sum(len(p) for p in parts)
            if df:
                lists.append((df, parts))
        return self._weigh(lists)

    def _weigh(self, lists: list[tuple[int, list[I32]]]) -> tuple[I32, F64]:
        lists.sort(key=lambda pair: pair[0])
        n = max(self.live, 1)
        arrays: list[I32] = []
        weights: list[F64] = []
        total = 0
        for df, parts in lists:
            if arrays and total + df > GRAM_BUDGET:
                break
            weight = math.log(1.0 + n / df)
            for part in parts:
                arrays.append(part)
                weights.append(np.full(len(part), weight))
            total += df
        if not arrays:
            return np.empty(0, np.int32), np.empty(0, np.float64)
        slots = np.concatenate(arrays)
        w = np.concatenate(weights)
        if len(slots) * 16 < self._size:
            unique, inverse = np.unique(slots, return_inverse=True)
            scores = np.bincount(inverse, weights=w)
        else:
            full = np.bincount(slots, weights=w, minlength=self._size)
            unique = np.flatnonzero(full).astype(np.int32)
            scores = full[unique]
        keep = self.alive[unique]
        return unique[keep].astype(np.int32), np.asarray(scores[keep], dtype=np.float64)

    def _main_postings(self, code: int) -> list[I32]:
        i = int(np.searchsorted(self._vocab, code))
        if i < len(self._vocab) and self._vocab[i] == code:
            return [self._postings[self._offsets[i] : self._offsets[i + 1]]]
        return []

    def _main_range(self, low: int, high: int) -> I32:
        i, j = np.searchsorted(self._vocab, [low, high])
        return self._postings[self._offsets[i] : self._offsets[j]]


_FIELD = {CODE: "codes", EMAIL: "emails"}


def _joined(parts: list[I64]) -> I64:
    return np.concatenate(parts) if parts else np.empty(0, np.int64)


def _sorted_unique(values: I64) -> I64:
    """np.unique without its hash table (much slower here than a sort)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def release_free_memory() -> None:
    """Hand the build's freed temporaries back to the OS (glibc keeps them otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _sorted_table(keys: list[int], slots: npt.ArrayLike) -> tuple[I64, I32]:
    k = np.asarray(keys, dtype=np.int64)
    s = np.asarray(slots, dtype=np.int32)
    order = np.argsort(k, kind="stable")
    return k[order], s[order]


def _lookup(keys: I64, slots: I32, key: int) -> list[int]:
    i, j = int(np.searchsorted(keys, key, "left")), int(np.searchsorted(keys, key, "right"))
    return [int(x) for x in slots[i:j]]

"""The n-grams that narrow the candidates: one int64 code per gram, computed the same way for
a query (`token_grams`) and, vectorised with numpy, for a whole table (`table_grams`).

- two adjacent Han characters: a bigram (`恒力`), so a fragment matches anywhere in a name;
- three adjacent other characters: a trigram (`hen`, `eng`), for pinyin, initials, English;
- the first two characters of every form: a prefix gram, so that `sz` or `恒` finds the forms
  that start with them and forms starting like the query rank first.

Code layout: (c1 << 42) | (c2 << 21) | c3 with c3 = 0 for a bigram and c1 = 1 for a prefix;
code points fit in 21 bits, so codes never collide across the three kinds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from core.search.normalize import TAGS

PREFIX = 1 << 42
RECORD_SEP = "\n"
_HAN_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
_TAG_POINTS = [ord(t) for t in TAGS]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _HAN_RANGES)


def token_grams(token: str) -> list[int]:
    """Gram codes of one form (no spaces), exactly as `table_grams` computes them."""
    points = [ord(c) for c in token]
    han = [is_han(c) for c in token]
    codes: list[int] = []
    if len(points) >= 2:
        codes.append(PREFIX | points[0] << 21 | points[1])
    for i in range(len(points) - 1):
        if han[i] and han[i + 1]:
            codes.append(points[i] << 42 | points[i + 1] << 21)
    for i in range(len(points) - 2):
        if not (han[i] or han[i + 1] or han[i + 2]):
            codes.append(points[i] << 42 | points[i + 1] << 21 | points[i + 2])
    return list(dict.fromkeys(codes))


def prefix_range(first: str) -> tuple[int, int]:
    """Codes of every prefix gram that starts with one character (a one-character query)."""
    low = PREFIX | ord(first) << 21
    return low, low + (1 << 21)


def table_grams(texts: list[str]) -> tuple[I64, I32]:
    """(gram code, record number) for every gram of every untagged form in `texts`."""
    if not texts:
        return np.empty(0, np.int64), np.empty(0, np.int32)
    big = RECORD_SEP.join(texts) + RECORD_SEP
    cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    n = len(cp)
    record = np.cumsum(cp == ord(RECORD_SEP)).astype(np.int32) - (cp == ord(RECORD_SEP)).astype(np.int32)
    sep = (cp == ord(" ")) | (cp == ord(RECORD_SEP))
    han = np.zeros(n, dtype=bool)
    for lo, hi in _HAN_RANGES:
        han |= (cp >= lo) & (cp <= hi)
    start = ~sep & np.concatenate(([True], sep[:-1]))
    first_at = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    ok = ~sep & ~np.isin(cp[first_at], _TAG_POINTS)
    codes: list[I64] = []
    records: list[I32] = []
    pre = start[:-1] & ok[:-1] & ok[1:]
    codes.append(PREFIX | cp[:-1][pre] << 21 | cp[1:][pre])
    records.append(record[:-1][pre])
    bi = han[:-1] & han[1:] & ok[:-1] & ok[1:]
    codes.append(cp[:-1][bi] << 42 | cp[1:][bi] << 21)
    records.append(record[:-1][bi])
    latin = ok & ~han
    tri = latin[:-2] & latin[1:-1] & latin[2:]
    codes.append(cp[:-2][tri] << 42 | cp[1:-1][tri] << 21 | cp[2:][tri])
    records.append(record[:-2][tri])
    return np.concatenate(codes), np.concatenate(records)

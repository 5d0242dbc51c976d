"""Telegram HTML built from styled runs, so that long text splits without breaking a tag or an entity.

Telegram limits a message to 4096 characters *after* entity parsing, counted in UTF-16 code
units. Keeping the text as runs (plain, bold, italic) until the last moment lets us cut on the
visible text and wrap each piece in its own tags.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
Style = Literal["", "b", "i", "code"]


@dataclass(frozen=True)
class Run:
    text: str
    style: Style = ""


def utf16_len(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def escape(text: str) -> str:
    """Only <, > and & are special in Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def to_html(runs: Sequence[Run]) -> str:
    parts = []
    for run in runs:
        if not run.text:
            continue
        body = escape(run.text)
        parts.append(f"<{run.style}>{body}</{run.style}>" if run.style else body)
    return "".join(parts)


def plain(runs: Sequence[Run]) -> str:
    return "".join(run.text for run in runs)


def _fit(text: str, start: int, limit: int) -> int:
    """The furthest end such that text[start:end] has at most `limit` UTF-16 units."""
    used, end = 0, start
    while end < len(text):
        width = 2 if ord(text[end]) > 0xFFFF else 1
        if used + width > limit:
            break
        used += width
        end += 1
    return end


def cut_points(text: str, limit: int = MESSAGE_LIMIT) -> list[int]:
    """Chunk ends: at the last line break in the second half of a full chunk, else a space, else hard."""
    ends: list[int] = []
    start = 0
    while utf16_len(text[start:]) > limit:
        end = _fit(text, start, limit)
        window = text[start:end]
        for separator in ("\n", " "):
            at = window.rfind(separator)
            if at > len(window) // 2:
                end = start + at + 1
                break
        ends.append(end)
        start = end
    ends.append(len(text))
    return ends


def _slice(runs: Sequence[Run], start: int, end: int) -> list[Run]:
    out: list[Run] = []
    offset = 0
    for run in runs:
        lo, hi = max(start, offset), min(end, offset + len(run.text))
        if lo < hi:
            out.append(Run(run.text[lo - offset : hi - offset], run.style))
        offset += len(run.text)
    return out


def _trim(runs: list[Run]) -> list[Run]:
    """Drop the line breaks and spaces a cut leaves at the edges of a chunk."""
    while runs and not runs[0].text.lstrip("\n "):
        runs.pop(0)
    while runs and not runs[-1].text.rstrip():
        runs.pop()
    if runs:
        runs[0] = Run(runs[0].text.lstrip("\n "), runs[0].style)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].style)
    return runs


def split(runs: Sequence[Run], limit: int = MESSAGE_LIMIT) -> list[list[Run]]:
    """Runs → chunks whose visible text fits `limit`; empty chunks are dropped."""
    text = plain(runs)
    chunks: list[list[Run]] = []
    start = 0
    for end in cut_points(text, limit):
        chunk = _trim(_slice(runs, start, end))
        if chunk:
            chunks.append(chunk)
        start = end
    return chunks

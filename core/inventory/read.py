"""A stock message read against the catalog: every line with the product it names (or why not)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from core.inventory.lines import RawLine, parse_lines
from core.inventory.resolve import Catalog, Resolution, resolve


@dataclass(frozen=True)
class ReadLine:
    raw: RawLine
    resolution: Resolution


def read_report(text: str, catalog: Catalog, carried: Collection[int] | None = None) -> list[ReadLine]:
    """Pure and fast (no database): the lines of `text` matched against `catalog`."""

    def is_code(word: str) -> bool:
        return bool(catalog.by_code(word))

    return [ReadLine(raw, resolve(raw.words, catalog, carried)) for raw in parse_lines(text, is_code)]

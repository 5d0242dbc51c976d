"""A worker's bounded memory of recent chats: the least recently used key is forgotten first."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """Per-chat state an adapter keeps in memory (limiters, menus set, cards shown), bounded so
    that a bot serving many chats never grows without end. Getting or putting a key makes it the
    most recent."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._size = size

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: K, value: V) -> V | None:
        """Remember `value` for `key`; the value it replaces, if any."""
        before = self._items.pop(key, None)
        self._items[key] = value
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return before

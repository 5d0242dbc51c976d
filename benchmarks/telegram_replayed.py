"""FieldChat's Telegram path with the CRM turn taken out: a diagnostic for telegram_webhook.py.

`run.py serve` exactly as deployed, except that the engine answers each kind of turn (a location,
a tap, a command) with the replies it gave the first turn of that kind, without touching the
database again. What is left is the adapter's own work: the secret check, aiogram's Update
parsing and dispatch, rendering, send limits and the Bot API calls, with real-shaped answers
(the nearby list, the check-in card, the 360 card). FieldChat's CPU per turn minus this one's
is what the CRM turn itself (identity, dialog, de-duplication, search, writes) costs.
Started by benchmarks/telegram_webhook.py: `telegram_replayed.py serve --port <port>`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run
from conversations.engine import Engine
from conversations.inbound import Turn
from conversations.messages import Reply

_real_handle = Engine.handle
_first: dict[type, list[Reply]] = {}


async def replayed(self: Engine, turn: Turn) -> list[Reply]:
    kind = type(turn.event)
    if kind not in _first:
        _first[kind] = await _real_handle(self, turn)
    return _first[kind]


if __name__ == "__main__":
    Engine.handle = replayed  # type: ignore[method-assign]
    sys.exit(run.main(sys.argv[1:]))

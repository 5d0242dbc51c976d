"""A delivery worker in its own process, to be killed with SIGKILL in the middle of a batch.

`python -m tests.support.kill_worker URL OUT BLOCK_AFTER BATCH LEASE`: claims one batch,
appends each message it hands to the "platform" to OUT (flushed and fsynced: it was
received), and after BLOCK_AFTER of them hangs, as a worker stuck in a send would.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from conversations.delivery import Sent
from conversations.messages import Reply, Text
from core.db import make_engine, make_sessionmaker
from core.settings import Settings
from notifications.delivery import Delivery


class FilePlatform:
    name = "rec"

    def __init__(self, out: str, block_after: int) -> None:
        self.out, self.block_after, self.count = out, block_after, 0

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        if self.count >= self.block_after:
            await asyncio.Event().wait()
        text = replies[0].text if isinstance(replies[0], Text) else "?"
        await asyncio.to_thread(self._append, text)
        self.count += 1
        return Sent(chat_id, (str(self.count),))

    def _append(self, text: str) -> None:
        with open(self.out, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())


class One:
    def __init__(self, platform: FilePlatform) -> None:
        self.platform = platform

    def get(self, name: str) -> FilePlatform | None:
        return self.platform if name == self.platform.name else None


async def main(url: str, out: str, block_after: int, batch: int, lease: float) -> None:
    settings = Settings(
        database_url=url, notify_batch_size=batch, notify_lease_seconds=lease, notify_quiet_hours="off",
        notify_rate_platform="off", notify_rate_chat="off", notify_concurrency=1,
    )
    engine = make_engine(url)
    delivery = Delivery(make_sessionmaker(engine), One(FilePlatform(out, block_after)), settings, worker="doomed")
    await delivery.run_once()


if __name__ == "__main__":
    url, out, block_after, batch, lease = sys.argv[1:6]
    asyncio.run(main(url, out, int(block_after), int(batch), float(lease)))

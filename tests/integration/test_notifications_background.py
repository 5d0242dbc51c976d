"""`serve` runs sweeps and delivery in-process (unless told not to); the command line runs them by hand."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bootstrap import build, create_app
from conversations.inbound import ConversationKey
from conversations.local import sign_in
from core.models import OutboxStatus
from core.services import inbox
from tests.conftest import DATABASE_URL, test_settings
from tests.support.notify import local, queue, rows

ROOT = Path(__file__).resolve().parents[2]


async def test_the_app_starts_the_scheduler_and_delivers_to_the_web_chat(container, world):
    live = await build(test_settings(notify_in_process=True, notify_poll_seconds=0.1, notify_quiet_hours="off"),
                       migrate=False, db=container.db)
    web = live.webchat
    token = web.sessions.for_login("rep")
    chat = web.sessions.chat_of(token)
    await sign_in(live.deps, web.key(chat), "rep")
    row_id = await queue(container, world.uid("rep"), "后台送达")
    app = create_app(live)
    async with app.router.lifespan_context(app):
        assert live.notifier is not None and live.notifier.scheduler.running
        for _ in range(300):                                                      # up to 30 s on a busy machine
            if (await rows(container, id=row_id))[0].status == OutboxStatus.SENT:
                break
            await asyncio.sleep(0.1)
    assert not live.notifier.scheduler.running
    assert (await rows(container, id=row_id))[0].status == OutboxStatus.SENT
    assert await rows(container, kind="follow_up")                                 # the first sweep ran too
    async with container.sessionmaker() as s:
        messages = await inbox.after(s, platform="webchat", chat_id=chat, after_id=0)
    assert [{"type": "text", "text": "后台送达"}] in [m.payload for m in messages]


async def test_tests_and_workers_can_keep_the_app_from_starting_background_loops(container):
    app = create_app(container)
    async with app.router.lifespan_context(app):
        assert container.notifier is not None and not container.notifier.scheduler.running


async def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    env = env or {"FIELDCHAT_DATABASE_URL": DATABASE_URL, "FIELDCHAT_DEMO": "false", "FIELDCHAT_SECRET_KEY": "test-secret-key",
                  "FIELDCHAT_DEFAULT_LOCALE": "en", "FIELDCHAT_LOG_LEVEL": "WARNING"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "run.py", *args, cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_sweep_and_deliver_once_from_the_command_line(container, world):
    await sign_in(container.deps, ConversationKey("console", "", "rep", "rep"), "rep")
    morning = local(1, 8, 5).astimezone().isoformat()
    code, out, err = await run("sweep", "--at", morning)
    assert code == 0, err
    assert "queued" in out and [line.split() for line in out.splitlines() if "follow_up" in line] == [["follow_up", "3"]]
    assert "sweep as of" in out and "Asia/Shanghai" in out
    code, out, err = await run("deliver", "--once", "--at", morning)
    assert code == 0, err
    assert "sent 1" in out and "digests 1" in out and "digested 3" in out
    async with container.sessionmaker() as s:
        (message,) = await inbox.after(s, platform="console", chat_id="rep", after_id=0)
    assert "3 reminders for today" in message.payload[0]
    code, _, err = await run("sweep", "--at", "tomorrow", env={"FIELDCHAT_DATABASE_URL": DATABASE_URL})
    assert code == 2 and "is not an ISO time like 2026-12-01T08:00+08:00" in err

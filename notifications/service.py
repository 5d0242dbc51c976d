"""The notifier as the composition root sees it: subscribe, sweep, deliver, run in the background."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.tokens import TokenCodec
from core.events import EventBus
from core.models import utcnow
from core.settings import Settings
from notifications import rules
from notifications.approval_cards import CardSync
from notifications.compose import Composer
from notifications.delivery import Delivery, Report
from notifications.ports import Senders
from notifications.ratelimit import Limits
from notifications.rules import RuleEnv
from notifications.scheduler import Scheduler
from notifications.sweep import sweep_all

log = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self, *, sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus, settings: Settings, codec: TokenCodec,
        senders: Senders, worker: str | None = None, limits: Limits | None = None,
    ) -> None:
        self.settings = settings
        self.composer = Composer(settings, codec)
        self.env = RuleEnv(sessionmaker, bus, settings, self.composer)
        self.delivery = Delivery(sessionmaker, senders, settings, composer=self.composer, worker=worker, limits=limits)
        self.cards = CardSync(sessionmaker, senders, settings, codec)
        self._last_runs: dict[str, datetime] = {}
        self.scheduler = Scheduler(
            sweep=self.tick, deliver=self.deliver, sweep_seconds=settings.notify_sweep_seconds,
            poll_seconds=settings.notify_poll_seconds,
        )
        self._subscribed = False

    def subscribe(self) -> None:
        """Event-driven kinds (lead assigned, recycled customers) write rows in the event's transaction."""
        if not self._subscribed:
            rules.subscribe(self.env.bus, self.composer)
            self._subscribed = True

    async def sweep(self, at: datetime | None = None) -> dict[str, int]:
        """Every rule once as of `at` (default now): new rows per kind."""
        return await sweep_all(self.env, at or utcnow())

    async def tick(self) -> dict[str, int]:
        """The scheduler's sweep: rules with a cadence run only when it has come round."""
        queued = await sweep_all(self.env, utcnow(), self._last_runs)
        if any(queued.values()):
            log.info("reminders queued: %s", ", ".join(f"{k} {n}" for k, n in queued.items() if n))
        return queued

    async def deliver(self, at: datetime | None = None) -> Report:
        """Everything due as of `at` (default now): digests folded, rows sent, outcomes counted."""
        report = await self.delivery.run_once(at)
        await self.cards.run_once()  # approval cards just sent are recorded; decided ones edited everywhere
        if report.claimed or report.digests:
            log.info("notifications: %s", ", ".join(f"{k} {n}" for k, n in report.as_dict().items() if n))
        return report

    def start(self, *, sweeps: bool = True) -> None:
        """Delivery (and the rule sweeps unless `sweeps` is off) on the running loop: serve and worker."""
        self.scheduler.start(sweeps=sweeps)

    def stop(self) -> None:
        self.scheduler.stop()

    async def run_forever(self, *, sweeps: bool = True) -> None:
        """`run.py worker` (and `deliver` without --once): the scheduler until cancelled."""
        self.start(sweeps=sweeps)
        try:
            await asyncio.Event().wait()
        finally:
            self.stop()


def describe_sweep(queued: dict[str, int], at: datetime, tz: ZoneInfo) -> str:
    """What `run.py sweep` prints: new rows per kind."""
    lines = [f"sweep as of {at.astimezone(tz):%Y-%m-%d %H:%M %z} ({tz.key}): queued"]
    lines += [f"  {kind:<22}{n:>8}" for kind, n in queued.items()]
    lines.append(f"  {'total':<22}{sum(queued.values()):>8}")
    return "\n".join(lines)


def describe_delivery(report: Report, at: datetime, tz: ZoneInfo) -> str:
    """What `run.py deliver --once` prints: rows by outcome."""
    counts = ", ".join(f"{name} {n}" for name, n in report.as_dict().items())
    return f"delivery as of {at.astimezone(tz):%Y-%m-%d %H:%M %z} ({tz.key}): {counts}"

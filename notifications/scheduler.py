"""APScheduler only triggers: the rule sweeps and the delivery loop, each at most once at a time.

Reminders are rows, not jobs, so nothing is persisted in the scheduler and any number
of workers may run it: each reminder is still written and sent once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core.models import utcnow

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self, *, sweep: Callable[[], Awaitable[object]], deliver: Callable[[], Awaitable[object]],
        sweep_seconds: float, poll_seconds: float,
    ) -> None:
        self._jobs = ((sweep, sweep_seconds, "sweep"), (deliver, poll_seconds, "deliver"))
        self._scheduler: AsyncIOScheduler | None = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def start(self, *, sweeps: bool = True) -> None:
        """Start on the running event loop; the jobs fire at once, then on their intervals."""
        # One line per job run every few seconds drowns the log; our jobs log what they did.
        for name in ("apscheduler.executors.default", "apscheduler.scheduler"):
            logging.getLogger(name).setLevel(logging.WARNING)
        scheduler = AsyncIOScheduler(timezone="UTC")
        first: datetime = utcnow()
        for job, seconds, name in self._jobs:
            if name == "sweep" and not sweeps:
                continue
            scheduler.add_job(
                _guarded(job, name), IntervalTrigger(seconds=seconds), id=name, name=name,
                max_instances=1, coalesce=True, next_run_time=first, misfire_grace_time=None,
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info("notification scheduler started: sweep every %ss, delivery every %ss", *(j[1] for j in self._jobs))

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None


def _guarded(job: Callable[[], Awaitable[object]], name: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job()
        except Exception:  # keep the schedule alive; the next tick tries again
            log.exception("notification job %s failed", name)

    return run

"""Run every rule's sweep once as of a moment, and purge old finished rows.

Sweeps are idempotent (each row has its de-duplication key), so running them twice,
or in several workers at once, writes each reminder once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete

from core.models import Notification, OutboxStatus
from notifications.rules import RULES, RuleEnv

log = logging.getLogger(__name__)
FINISHED = (
    OutboxStatus.SENT, OutboxStatus.DIGESTED, OutboxStatus.FAILED, OutboxStatus.UNDELIVERABLE,
    OutboxStatus.MUTED, OutboxStatus.OBSOLETE,
)


PURGE_EVERY = timedelta(hours=1)


async def sweep_all(env: RuleEnv, at: datetime, last_runs: dict[str, datetime] | None = None) -> dict[str, int]:
    """New outbox rows per kind that ran; a failing rule is logged and the others still run.

    `last_runs` (kept by a long-running worker) lets rules with a cadence skip ticks, and
    purges hourly; without it (the command line) every rule runs and old rows are purged.
    """
    queued: dict[str, int] = {}
    for rule in RULES:
        if rule.sweep is None or not _due(rule.kind, rule.every, at, last_runs):
            continue
        try:
            queued[rule.kind] = await rule.sweep(env, at)
        except Exception:
            log.exception("sweep %s failed", rule.kind)
            queued[rule.kind] = 0
    if _due("purge", PURGE_EVERY, at, last_runs):
        await purge(env, at)
    return queued


def _due(name: str, every: timedelta | None, at: datetime, last_runs: dict[str, datetime] | None) -> bool:
    if last_runs is None:
        return True
    last = last_runs.get(name)
    if every is not None and last is not None and last <= at < last + every:
        return False
    last_runs[name] = at
    return True


async def purge(env: RuleEnv, at: datetime) -> int:
    """Delete finished rows older than the retention (longer than any rule looks back)."""
    cutoff = at - timedelta(days=env.settings.notify_retention_days)
    async with env.sessionmaker() as session:
        result = await session.execute(
            delete(Notification).where(Notification.status.in_(FINISHED), Notification.created_at < cutoff)
        )
        await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)

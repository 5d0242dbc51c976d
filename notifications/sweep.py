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


async def sweep_all(env: RuleEnv, at: datetime) -> dict[str, int]:
    """New outbox rows per kind; a failing rule is logged and the others still run."""
    queued: dict[str, int] = {}
    for rule in RULES:
        if rule.sweep is None:
            continue
        try:
            queued[rule.kind] = await rule.sweep(env, at)
        except Exception:
            log.exception("sweep %s failed", rule.kind)
            queued[rule.kind] = 0
    await purge(env, at)
    return queued


async def purge(env: RuleEnv, at: datetime) -> int:
    """Delete finished rows older than the retention (longer than any rule looks back)."""
    cutoff = at - timedelta(days=env.settings.notify_retention_days)
    async with env.sessionmaker() as session:
        result = await session.execute(
            delete(Notification).where(Notification.status.in_(FINISHED), Notification.created_at < cutoff)
        )
        await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)

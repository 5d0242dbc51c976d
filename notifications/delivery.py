"""The delivery loop: claim due rows, send each through the recipient's chats, mark the outcome.

At-least-once, with a small bound: a worker marks its batch after sending it, so a worker
killed mid-batch leaves at most one batch (`notify_batch_size`) of rows that went out but
are not marked; after their lease another worker sends those again, and nothing else.

Per row: muted kinds, rows no longer true and rows inside the user's quiet hours do not
go; the user's bindings are tried preferred first; a permanent refusal (blocked, chat
gone) moves on to the next binding; a 429 pauses that chat for `retry_after` and re-queues
the row without counting an attempt; other failures retry with exponential back-off until
`notify_max_attempts`. No binding at all: undeliverable, shown to admins, not retried.
A user held back by a send limit gets the informational rows waiting for the same free slot
folded into one digest (`notifications.overflow`) instead of one message per slot.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.delivery import DeliveryError
from conversations.messages import Reply
from conversations.reply_codec import BadPayload, load_all
from core.models import ChatIdentity, OutboxStatus, User, utcnow
from core.services.notify_prefs import KINDS, Prefs, load_prefs
from core.settings import Settings
from core.timeofday import leave_span
from notifications.compose import Composer
from notifications.digest import Folded, fold_due
from notifications.outbox import Claimed, Outcome, claim, finish
from notifications.overflow import fold_overflow
from notifications.ports import Senders
from notifications.ratelimit import Limits
from notifications.rules import Pending, still_true

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 3600.0
LIMIT_WAIT_S = 2.0
"""Longer waits for a rate-limit slot re-queue the row instead of holding the batch."""


@dataclass
class Report:
    """What one delivery run did, by outcome."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    deferred: int = 0
    failed: int = 0
    undeliverable: int = 0
    muted: int = 0
    obsolete: int = 0
    digests: int = 0
    digested: int = 0

    def count(self, outcome: Outcome, row: Claimed) -> None:
        status = outcome.status
        if status == OutboxStatus.QUEUED:
            if outcome.attempts < row.attempts:
                self.deferred += 1
            else:
                self.retried += 1
            return
        name = {OutboxStatus.SENT: "sent", OutboxStatus.FAILED: "failed", OutboxStatus.MUTED: "muted",
                OutboxStatus.UNDELIVERABLE: "undeliverable", OutboxStatus.OBSOLETE: "obsolete"}[status]
        setattr(self, name, getattr(self, name) + 1)

    def folded(self, f: Folded) -> None:
        self.digests += f.digests
        self.digested += f.digested
        self.muted += f.muted
        self.obsolete += f.obsolete

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Binding:
    platform: str
    chat_id: str


@dataclass
class BatchContext:
    """Everything about the batch's recipients, read in one go before sending."""

    prefs: dict[int, Prefs]
    bindings: dict[int, list[Binding]]
    alive: set[int]
    now: datetime
    deadline: float
    deferred_users: dict[int, datetime] = field(default_factory=dict)
    """Users a send limit held back, and until when."""
    folded: Folded = field(default_factory=Folded)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{random.randrange(16**4):04x}"


class Delivery:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], senders: Senders, settings: Settings,
        *, composer: Composer | None = None, worker: str | None = None, limits: Limits | None = None,
    ) -> None:
        self.sessionmaker, self.senders, self.settings = sessionmaker, senders, settings
        self.worker = worker or worker_name()
        self.limits = limits or Limits(settings)
        self.composer = composer
        """Folds morning digests before each run, and what waits behind a send limit (None: this loop only sends)."""
        self.lease = timedelta(seconds=settings.notify_lease_seconds)

    async def run_once(self, now: datetime | None = None, *, max_batches: int = 10_000) -> Report:
        """Fold due digests, then deliver batch after batch until nothing is due as of `now`."""
        now = now or utcnow()
        report = Report()
        if self.composer is not None:
            report.folded(await fold_due(self.sessionmaker, self.composer, self.settings, now))
        for _ in range(max_batches):
            if not await self.batch(now, report):
                break
        return report

    async def batch(self, now: datetime, report: Report) -> int:
        """Claim, send and mark one batch; returns how many rows it claimed."""
        async with self.sessionmaker() as session:
            rows = await claim(session, worker=self.worker, now=now, limit=self.settings.notify_batch_size, lease=self.lease)
        if not rows:
            return 0
        report.claimed += len(rows)
        async with self.sessionmaker() as session:
            ctx = await self._context(session, rows, now)
        outcomes = await self._send_all(rows, ctx)
        async with self.sessionmaker() as session:
            await finish(session, worker=self.worker, outcomes=outcomes)
        report.folded(ctx.folded)
        by_id = {r.id: r for r in rows}
        for outcome in outcomes:
            report.count(outcome, by_id[outcome.id])
        return len(rows)

    async def _context(self, session: AsyncSession, rows: Sequence[Claimed], now: datetime) -> BatchContext:
        user_ids = {r.user_id for r in rows}
        users = list((await session.scalars(select(User).where(User.id.in_(user_ids), User.active.is_(True)))).all())
        bindings: dict[int, list[Binding]] = defaultdict(list)
        found = await session.execute(
            select(ChatIdentity.user_id, ChatIdentity.platform, ChatIdentity.chat_id)
            .where(ChatIdentity.user_id.in_(user_ids))
            .order_by(ChatIdentity.preferred.desc(), ChatIdentity.bound_at.desc(), ChatIdentity.id.desc())
        )
        for user_id, platform, chat_id in found.all():
            if self.senders.get(platform) is not None:
                bindings[user_id].append(Binding(platform, chat_id))
        alive = await still_true(session, [Pending(r.id, r.kind, r.user_id, r.ref_id, r.due_at) for r in rows], self.settings)
        deadline = time.monotonic() + self.lease.total_seconds() / 2
        return BatchContext(await load_prefs(session, users, self.settings), bindings, alive, now, deadline)

    async def _send_all(self, rows: Sequence[Claimed], ctx: BatchContext) -> list[Outcome]:
        by_user: dict[int, list[Claimed]] = defaultdict(list)
        for row in rows:
            by_user[row.user_id].append(row)
        gate = asyncio.Semaphore(self.settings.notify_concurrency)

        async def serve(user_rows: list[Claimed]) -> list[Outcome]:
            async with gate:
                outcomes = [await self._one(row, ctx) for row in user_rows]
                ready = ctx.deferred_users.get(user_rows[0].user_id)
                if ready is not None and self.composer is not None:
                    outcomes = await self._fold(user_rows[0].user_id, outcomes, ready, ctx)
                return outcomes

        results = await asyncio.gather(*(serve(group) for group in by_user.values()))
        return [outcome for group in results for outcome in group]

    async def _fold(self, user_id: int, outcomes: list[Outcome], ready: datetime, ctx: BatchContext) -> list[Outcome]:
        """A send limit held this user's rows back until `ready`: fold what waits into a digest
        (`notifications.overflow`); the rows folded are settled, their outcomes dropped."""
        assert self.composer is not None
        waiting = [o.id for o in outcomes if o.status == OutboxStatus.QUEUED]
        try:
            async with self.sessionmaker() as session:
                settled = await fold_overflow(
                    session, self.composer, self.settings, worker=self.worker, user_id=user_id, deferred=waiting,
                    ready=ready, now=ctx.now, out=ctx.folded,
                )
        except Exception:  # the rows stay deferred: sent one by one, as without folding
            log.exception("folding the overflow of user %s failed", user_id)
            return outcomes
        return [o for o in outcomes if o.id not in settled]

    async def _one(self, row: Claimed, ctx: BatchContext) -> Outcome:
        settle = _screen(row, ctx, self.settings)
        if settle is not None:
            return settle
        if time.monotonic() > ctx.deadline:  # the lease is half gone: leave the rest to the next claim
            return _defer(row, ctx.now, "batch out of time")
        held = ctx.deferred_users.get(row.user_id)
        if held is not None:  # an earlier message to this user waits: keep the order
            return _defer(row, held)
        try:
            replies = load_all(row.replies)
        except BadPayload as exc:
            return Outcome(row.id, OutboxStatus.FAILED, row.attempts, last_error=f"unreadable replies: {exc}")
        outcome = await self._through_bindings(row, replies, ctx)
        if outcome.status == OutboxStatus.QUEUED and outcome.attempts < row.attempts and outcome.send_after:
            ctx.deferred_users[row.user_id] = outcome.send_after
        return outcome

    async def _through_bindings(self, row: Claimed, replies: list[Reply], ctx: BatchContext) -> Outcome:
        refused: list[str] = []
        for b in ctx.bindings[row.user_id]:
            sender = self.senders.get(b.platform)
            assert sender is not None
            wait = min(LIMIT_WAIT_S, ctx.deadline - time.monotonic())
            if not await self.limits.acquire(b.platform, b.chat_id, max_wait=max(wait, 0.0)):
                later = ctx.now + timedelta(seconds=max(self.limits.ready_in(b.platform, b.chat_id), 1.0))
                return _defer(row, later, "rate limit")
            try:
                sent = await sender.send(b.chat_id, replies)
            except DeliveryError as exc:
                if exc.retry_after:
                    self.limits.pause(b.platform, b.chat_id, exc.retry_after)
                    later = ctx.now + timedelta(seconds=exc.retry_after)
                    return _defer(row, later, f"{b.platform}: 429, retry after {exc.retry_after:g} s")
                if exc.permanent:
                    refused.append(f"{b.platform}:{b.chat_id}: {exc}")
                    continue
                return self._retry(row, ctx, f"{b.platform}: {exc}")
            except Exception as exc:  # an adapter bug must not lose the row or stop the loop
                log.exception("send through %s failed", b.platform)
                return self._retry(row, ctx, f"{b.platform}: {type(exc).__name__}: {exc}")
            return Outcome(
                row.id, OutboxStatus.SENT, row.attempts, platform=b.platform, chat_id=b.chat_id,
                message_ids=",".join(sent.message_ids)[:300], sent_at=utcnow(),
            )
        reason = "; ".join(refused) if refused else "no chat binding"
        return Outcome(row.id, OutboxStatus.UNDELIVERABLE, row.attempts, last_error=reason)

    def _retry(self, row: Claimed, ctx: BatchContext, error: str) -> Outcome:
        if row.attempts >= self.settings.notify_max_attempts:
            return Outcome(row.id, OutboxStatus.FAILED, row.attempts, last_error=error)
        backoff = min(self.settings.notify_backoff_seconds * 2 ** (row.attempts - 1), MAX_BACKOFF_S)
        later = ctx.now + timedelta(seconds=backoff * random.uniform(0.9, 1.1))
        prefs = ctx.prefs.get(row.user_id)
        if prefs is not None:
            later = leave_span(later, prefs.quiet, prefs.tz)
        return Outcome(row.id, OutboxStatus.QUEUED, row.attempts, send_after=later, last_error=error)


def _defer(row: Claimed, until: datetime, reason: str | None = None) -> Outcome:
    """Back to the queue without counting an attempt."""
    return Outcome(row.id, OutboxStatus.QUEUED, row.attempts - 1, send_after=until, last_error=reason)


def _screen(row: Claimed, ctx: BatchContext, settings: Settings) -> Outcome | None:
    """The outcome for a row that must not be sent now, or None to send it."""
    if row.attempts > settings.notify_max_attempts:
        return Outcome(row.id, OutboxStatus.FAILED, row.attempts, last_error="gave up: too many attempts")
    prefs = ctx.prefs.get(row.user_id)
    if prefs is None:
        return Outcome(row.id, OutboxStatus.UNDELIVERABLE, row.attempts, last_error="user inactive or unknown")
    info = KINDS.get(row.kind)
    if info is not None and info.mutable and row.kind in prefs.muted:
        return Outcome(row.id, OutboxStatus.MUTED, row.attempts)
    if row.id not in ctx.alive:
        return Outcome(row.id, OutboxStatus.OBSOLETE, row.attempts)
    quiet_end = leave_span(ctx.now, prefs.quiet, prefs.tz)
    if quiet_end > ctx.now:
        return _defer(row, quiet_end, "quiet hours")
    if not ctx.bindings.get(row.user_id):
        return Outcome(row.id, OutboxStatus.UNDELIVERABLE, row.attempts, last_error="no chat binding")
    return None

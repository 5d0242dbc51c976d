"""Where each approval card was sent, and which copies still show an outdated state.

A card copy is (platform, chat id, message id) — opaque names the adapters gave back.
Once a step is decided (or cancelled), every copy whose `shown` differs is due for an
edit; editing is idempotent, so a copy edited twice by two workers shows the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ApprovalCard, ApprovalStep, StepStatus
from core.models.approvals import DECIDED

MAX_ATTEMPTS = 5


async def record(
    session: AsyncSession,
    *,
    step_id: int,
    user_id: int,
    platform: str,
    chat_id: str,
    message_ids: Sequence[str],
    source_id: int | None = None,
) -> bool:
    """Remember one sent card (its first message carries the card); False if already known."""
    if not message_ids:
        return False
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(ApprovalCard)
        .values(
            step_id=step_id, user_id=user_id, platform=platform[:20], chat_id=chat_id[:200],
            message_id=str(message_ids[0])[:100], source_id=source_id, shown=StepStatus.PENDING.name, attempts=0,
        )
        .on_conflict_do_nothing()
        .returning(ApprovalCard.id)
    )
    return (await session.execute(stmt)).first() is not None


@dataclass(frozen=True)
class DueEdit:
    card_id: int
    step_id: int
    quote_id: int | None
    """The quote the step approves; None for a rebate claim's step (see `claim_id`)."""
    user_id: int
    platform: str
    chat_id: str
    message_id: str
    status: str
    """What the copy must show now (the step status's stored name, as `ApprovalCard.shown` keeps it)."""
    claim_id: int | None = None


async def due(session: AsyncSession, *, step_ids: Sequence[int] = (), limit: int = 200) -> list[DueEdit]:
    stmt = (
        select(ApprovalCard, ApprovalStep)
        .join(ApprovalStep, ApprovalStep.id == ApprovalCard.step_id)
        .where(
            ApprovalStep.status.in_(DECIDED),
            ApprovalCard.shown != ApprovalStep.status,
            ApprovalCard.attempts < MAX_ATTEMPTS,
        )
        .order_by(ApprovalCard.id)
        .limit(limit)
    )
    if step_ids:
        stmt = stmt.where(ApprovalCard.step_id.in_(step_ids))
    rows = (await session.execute(stmt)).all()
    return [
        DueEdit(c.id, s.id, s.quote_id, c.user_id, c.platform, c.chat_id, c.message_id, s.status.name, s.claim_id)
        for c, s in rows
    ]


async def edited(session: AsyncSession, *, card_id: int, shown: str, now: datetime) -> None:
    await session.execute(
        update(ApprovalCard)
        .where(ApprovalCard.id == card_id)
        .values(shown=shown, edited_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def failed(session: AsyncSession, *, card_id: int, error: str, permanent: bool) -> None:
    """A transient failure is retried by the next run; a permanent one (message gone) stops."""
    await session.execute(
        update(ApprovalCard)
        .where(ApprovalCard.id == card_id)
        .values(
            attempts=MAX_ATTEMPTS if permanent else ApprovalCard.attempts + 1, last_error=error[:300],
        )
        .execution_options(synchronize_session=False)
    )


async def copies(session: AsyncSession, step_id: int) -> list[ApprovalCard]:
    return list((await session.scalars(select(ApprovalCard).where(ApprovalCard.step_id == step_id).order_by(ApprovalCard.id))).all())

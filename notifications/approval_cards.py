"""Keeping every copy of an approval card true: adopt sent copies, edit decided ones.

Cards reach approvers as outbox rows (kinds in `CARD_KINDS`); once delivered, the row
holds where it went (platform, chat, message ids), and `adopt` records each such copy.
When a step is decided, `sync` edits every copy through its adapter's `edit` to show
the outcome with no buttons — on every platform, in the reader's language. Editing is
idempotent and per copy; a failed edit is retried by the next run, a permanent one
(message deleted) is given up and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.approval_card import approval_card
from conversations.claim_cards import claim_approval_card
from conversations.delivery import DeliveryError
from conversations.i18n import Formatter, translate
from conversations.messages import Reply
from conversations.tokens import TokenCodec
from core.clock import zone
from core.models import ApprovalCard, ApprovalStep, Notification, OutboxStatus, User, utcnow
from core.services import approval_cards
from core.services.claim_views import load_claim_view
from core.services.quote_views import load_view
from core.settings import Settings
from notifications.ports import Senders
from notifications.rules.approvals import CARD_KINDS

log = logging.getLogger(__name__)


@runtime_checkable
class Editor(Protocol):
    """An adapter that can replace a message it sent (every adapter's `edit`)."""

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None: ...


@dataclass(frozen=True)
class Reader:
    """One recipient's language and zone, as the card builder needs them."""

    locale: str
    fmt: Formatter

    def t(self, key: str, /, **params: object) -> str:
        return translate(self.locale, key, **params)


async def adopt(session: AsyncSession) -> int:
    """Record the copies that outbox deliveries of approval cards left behind."""
    rows = (
        await session.scalars(
            select(Notification).where(
                Notification.kind.in_(CARD_KINDS), Notification.status == OutboxStatus.SENT,
                Notification.platform.is_not(None), Notification.message_ids.is_not(None), Notification.ref_id.is_not(None),
            )
        )
    ).all()
    known = set((await session.scalars(select(ApprovalCard.source_id))).all())
    added = 0
    for row in rows:
        if row.id in known or row.ref_id is None or not row.platform or not row.chat_id or not row.message_ids:
            continue
        ids = [m for m in row.message_ids.split(",") if m]
        added += await approval_cards.record(
            session, step_id=row.ref_id, user_id=row.user_id, platform=row.platform, chat_id=row.chat_id,
            message_ids=ids, source_id=row.id,
        )
    return added


class CardSync:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], senders: Senders, settings: Settings, codec: TokenCodec
    ) -> None:
        self.sessionmaker, self.senders, self.settings, self.codec = sessionmaker, senders, settings, codec

    async def run_once(self, step_ids: Sequence[int] = ()) -> int:
        """Adopt new copies, then edit every outdated one; returns how many were edited."""
        async with self.sessionmaker() as session:
            await adopt(session)
            due = await approval_cards.due(session, step_ids=step_ids)
            await session.commit()
        edited = 0
        for item in due:
            edited += await self._edit(item)
        return edited

    async def _edit(self, item: approval_cards.DueEdit) -> int:
        """Render, edit, then record: no transaction stays open while the platform is called."""
        sender = self.senders.get(item.platform)
        editor = sender if isinstance(sender, Editor) else None
        async with self.sessionmaker() as session:
            replies: list[Reply] = await self._render(session, item) if editor is not None else []
        error: DeliveryError | None = DeliveryError("no adapter that edits", permanent=True) if editor is None else None
        if editor is not None:
            try:
                await editor.edit(item.chat_id, item.message_id, replies)
            except DeliveryError as exc:
                log.warning("approval card %s on %s not edited: %s", item.card_id, item.platform, exc)
                error = exc
        async with self.sessionmaker() as session:
            if error is None:
                await approval_cards.edited(session, card_id=item.card_id, shown=item.status, now=utcnow())
            else:
                await approval_cards.failed(session, card_id=item.card_id, error=str(error), permanent=error.permanent)
            await session.commit()
        return 1 if error is None else 0

    async def _render(self, session: AsyncSession, item: approval_cards.DueEdit) -> list[Reply]:
        user = await session.get_one(User, item.user_id)
        reader = Reader(user.locale or self.settings.default_locale, Formatter(
            user.locale or self.settings.default_locale, zone(user.timezone or self.settings.timezone)
        ))
        step = await session.get_one(ApprovalStep, item.step_id)
        if item.claim_id is not None:
            claim = await load_claim_view(session, item.claim_id)
            return [claim_approval_card(claim, step, reader, self.codec, actionable=False)]
        if item.quote_id is None:
            return []
        view = await load_view(session, item.quote_id)
        return [approval_card(view, step, reader, self.codec, actionable=False)]

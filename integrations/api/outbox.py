"""Admin REST API for the notification outbox: counts, lists, and retrying what failed.

Authenticated like the other machine APIs: `Authorization: Bearer <key>` with a key that
has the `outbox` scope (`python run.py apikey create --name ops --scope outbox`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.i18n import translate
from core.errors import DomainError, NotFound
from core.events import EventBus
from core.services import outbox_view
from core.uow import UnitOfWork
from integrations.api.keyauth import bearer

SCOPE = "outbox"


class OutboxItem(BaseModel):
    id: int
    kind: str
    status: str
    login: str
    user_name: str
    user_name_en: str | None
    summary: str
    due_at: str
    send_after: str
    attempts: int
    last_error: str | None
    platform: str | None
    sent_at: str | None


class OutboxPage(BaseModel):
    items: list[OutboxItem]
    limit: int
    offset: int


class OutboxSummary(BaseModel):
    counts: dict[str, dict[str, int]]
    """{status: {kind: n}}"""


def _problem(exc: DomainError) -> HTTPException:
    return HTTPException(404 if isinstance(exc, NotFound) else 400, translate("en", exc.code, **exc.params))


def outbox_router(sessionmaker: async_sessionmaker[AsyncSession]) -> APIRouter:
    api = APIRouter(
        prefix="/api/v1/outbox", tags=["admin: notifications"], dependencies=[Depends(bearer(sessionmaker, SCOPE))]
    )

    @api.get("/summary", response_model=OutboxSummary)
    async def summary() -> OutboxSummary:
        """How many notifications are queued, sent, failed, undeliverable … by kind."""
        async with sessionmaker() as session:
            return OutboxSummary(counts=await outbox_view.counts(session))

    @api.get("", response_model=OutboxPage)
    async def listing(
        status: str | None = None, kind: Annotated[str | None, Query(max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=outbox_view.MAX_PAGE)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
    ) -> OutboxPage:
        """Notifications, newest first (queued ones by send time); filter by status and kind."""
        try:
            async with sessionmaker() as session:
                rows = await outbox_view.listing(
                    session, status=outbox_view.status_of(status), kind=kind, limit=limit, offset=offset
                )
        except DomainError as exc:
            raise _problem(exc) from None
        return OutboxPage(items=[OutboxItem(**_json(r)) for r in rows], limit=limit, offset=offset)

    @api.post("/{notification_id}/retry", response_model=OutboxItem)
    async def retry(notification_id: int) -> OutboxItem:
        """Queue a failed or undeliverable notification again (e.g. after the user bound a chat)."""
        try:
            async with UnitOfWork(sessionmaker, EventBus()) as uow:
                await outbox_view.retry(uow, actor=None, notification_id=notification_id)
                await uow.commit()
            async with sessionmaker() as session:
                rows = await outbox_view.listing(session, limit=1, offset=0, only_id=notification_id)
        except DomainError as exc:
            raise _problem(exc) from None
        return OutboxItem(**_json(rows[0]))

    return api


def _json(row: outbox_view.OutboxRow) -> dict[str, Any]:
    return row.as_json()

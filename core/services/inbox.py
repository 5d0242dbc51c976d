"""Messages held for chats whose clients fetch them (the web chat and console inboxes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ChatInboxMessage

PAGE = 100


async def push(session: AsyncSession, *, platform: str, chat_id: str, payload: list[Any]) -> int:
    message = ChatInboxMessage(platform=platform, chat_id=chat_id, payload=payload)
    session.add(message)
    await session.flush()
    return message.id


async def after(session: AsyncSession, *, platform: str, chat_id: str, after_id: int, limit: int = PAGE) -> list[ChatInboxMessage]:
    rows = await session.scalars(
        select(ChatInboxMessage)
        .where(ChatInboxMessage.platform == platform, ChatInboxMessage.chat_id == chat_id, ChatInboxMessage.id > after_id)
        .order_by(ChatInboxMessage.id)
        .limit(limit)
    )
    return list(rows.all())


async def latest_id(session: AsyncSession, *, platform: str, chat_id: str) -> int:
    from sqlalchemy import func

    value = await session.scalar(
        select(func.max(ChatInboxMessage.id)).where(
            ChatInboxMessage.platform == platform, ChatInboxMessage.chat_id == chat_id
        )
    )
    return int(value or 0)

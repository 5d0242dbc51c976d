"""Dialog state per (platform, workspace, chat, user): flow, step, draft data, version, expiry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import dialect_insert
from core.errors import Conflict
from core.models import DialogState


@dataclass
class Dialog:
    flow: str
    step: str
    instance: str
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    """0 for a dialog not stored yet; the stored version otherwise (optimistic locking)."""


class StateStore(Protocol):
    async def load(self, session: AsyncSession, key: str, now: datetime) -> Dialog | None: ...

    async def save(self, session: AsyncSession, key: str, dialog: Dialog, expires_at: datetime) -> None: ...

    async def clear(self, session: AsyncSession, key: str) -> None: ...


_LOAD = select(
    DialogState.flow, DialogState.step, DialogState.instance, DialogState.data, DialogState.version,
    DialogState.expires_at,
).where(DialogState.key == bindparam("key"))
"""Built once (every turn loads its dialog); plain columns, no ORM object to track."""


class SqlStateStore:
    """Dialog state in the CRM database, written in the same transaction as the turn's changes."""

    async def load(self, session: AsyncSession, key: str, now: datetime) -> Dialog | None:
        row = (await session.execute(_LOAD, {"key": key})).first()
        if row is None or row.expires_at <= now:
            return None
        return Dialog(row.flow, row.step, row.instance, dict(row.data), row.version)

    async def save(self, session: AsyncSession, key: str, dialog: Dialog, expires_at: datetime) -> None:
        if dialog.version == 0:  # a new dialog replaces whatever (expired) one the chat had
            values = {
                "flow": dialog.flow, "step": dialog.step, "instance": dialog.instance, "data": dialog.data,
                "version": 1, "expires_at": expires_at,
            }
            upsert = dialect_insert(session)(DialogState).values(key=key, **values)
            await session.execute(upsert.on_conflict_do_update(index_elements=["key"], set_=values))
            return
        result = await session.execute(
            update(DialogState)
            .where(DialogState.key == key, DialogState.version == dialog.version)
            .values(
                flow=dialog.flow, step=dialog.step, instance=dialog.instance, data=dialog.data,
                version=dialog.version + 1, expires_at=expires_at,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 1) == 0:
            raise Conflict("error.concurrent")

    async def clear(self, session: AsyncSession, key: str) -> None:
        await session.execute(delete(DialogState).where(DialogState.key == key))


def expiry(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


async def sweep_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(DialogState).where(DialogState.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


async def exists(session: AsyncSession, key: str) -> bool:
    return (await session.scalar(select(DialogState.key).where(DialogState.key == key))) is not None

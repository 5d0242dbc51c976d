"""Dialog state per (platform, workspace, chat, user): flow, step, draft data, version, expiry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import per_dialect
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

_TABLE = cast(Table, DialogState.__table__)
_FIELDS = ("flow", "step", "instance", "data", "version", "expires_at")


def _upsert(insert_: Any) -> Any:
    new = insert_(_TABLE).values(key=bindparam("key"), **{f: bindparam(f) for f in _FIELDS})
    return new.on_conflict_do_update(index_elements=["key"], set_={f: new.excluded[f] for f in _FIELDS})


_UPSERT = per_dialect(_upsert)
_ADVANCE = (
    update(_TABLE)
    .where(_TABLE.c.key == bindparam("k"), _TABLE.c.version == bindparam("seen"))
    .values(**{f: bindparam(f) for f in _FIELDS})
)
_CLEAR = delete(_TABLE).where(_TABLE.c.key == bindparam("k"))
"""The writes, also built once and on the table itself: Core statements skip the ORM's
bulk-persistence path, which cost more than the statement (most turns write their dialog)."""


class SqlStateStore:
    """Dialog state in the CRM database, written in the same transaction as the turn's changes."""

    async def load(self, session: AsyncSession, key: str, now: datetime) -> Dialog | None:
        row = (await session.execute(_LOAD, {"key": key})).first()
        if row is None or row.expires_at <= now:
            return None
        return Dialog(row.flow, row.step, row.instance, dict(row.data), row.version)

    async def save(self, session: AsyncSession, key: str, dialog: Dialog, expires_at: datetime) -> None:
        values = {
            "flow": dialog.flow, "step": dialog.step, "instance": dialog.instance, "data": dialog.data,
            "version": dialog.version + 1, "expires_at": expires_at,
        }
        if dialog.version == 0:  # a new dialog replaces whatever (expired) one the chat had
            await session.execute(_UPSERT[session.get_bind().dialect.name], {"key": key, **values})
            return
        result = await session.execute(_ADVANCE, {"k": key, "seen": dialog.version, **values})
        if getattr(result, "rowcount", 1) == 0:
            raise Conflict("error.concurrent")

    async def clear(self, session: AsyncSession, key: str) -> None:
        await session.execute(_CLEAR, {"k": key})


def expiry(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


async def sweep_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(DialogState).where(DialogState.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


async def exists(session: AsyncSession, key: str) -> bool:
    return (await session.scalar(select(DialogState.key).where(DialogState.key == key))) is not None

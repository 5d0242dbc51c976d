"""Who answers for service: the service manager of an engineer, or of the whole service team."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Role, User


async def service_managers(session: AsyncSession, engineer_id: int | None = None) -> list[int]:
    """The engineer's manager; without an engineer, every engineer's manager; else the directors."""
    stmt = select(User.manager_id).where(User.role == Role.ENGINEER, User.active.is_(True), User.manager_id.is_not(None))
    if engineer_id is not None:
        stmt = stmt.where(User.id == engineer_id)
    found = sorted({int(m) for m in (await session.scalars(stmt)).all() if m is not None})
    if found:
        return found
    directors = await session.scalars(select(User.id).where(User.role == Role.DIRECTOR, User.active.is_(True)))
    return sorted(directors.all())

"""Sign-in for trusted local front ends (console, demo web chat) that bind without a code."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.context import Deps
from conversations.inbound import ConversationKey
from core.services import identities
from core.uow import UnitOfWork


@dataclass(frozen=True)
class LocalUser:
    login: str
    name: str
    role: str
    locale: str | None


async def sign_in(deps: Deps, key: ConversationKey, login: str) -> LocalUser:
    """Bind `key` to the user `login` directly; NotFound when there is no such user."""
    async with UnitOfWork(deps.sessionmaker, deps.bus) as uow:
        user = await identities.user_by_login(uow.session, login)
        await identities.bind_directly(
            uow, user=user, platform=key.platform, workspace=key.workspace, external_user_id=key.user, chat_id=key.chat
        )
        await uow.commit()
        return LocalUser(user.login, user.name, user.role.value, user.locale)


async def who(deps: Deps, key: ConversationKey) -> LocalUser | None:
    async with deps.sessionmaker() as session:
        found = await identities.resolve(
            session, platform=key.platform, workspace=key.workspace, external_user_id=key.user
        )
        if found is None:
            return None
        user = found[1]
        return LocalUser(user.login, user.name, user.role.value, user.locale)


async def demo_users(deps: Deps) -> list[LocalUser]:
    from sqlalchemy import select

    from core.models import User

    async with deps.sessionmaker() as session:
        users = (await session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))).all()
        return [LocalUser(u.login, u.name, u.role.value, u.locale) for u in users]

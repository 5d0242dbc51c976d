"""Binding chat identities to CRM users with one-time codes; per-user language."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput, NotFound, PermissionDenied
from core.events import ChatBound
from core.models import BindingCode, ChatIdentity, Role, User, utcnow
from core.uow import Actor, UnitOfWork

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: codes are read off one screen and typed on another."""
CODE_TTL = timedelta(hours=72)
LOCALES = ("zh-CN", "en")


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == 8 and all(ch in CODE_ALPHABET for ch in code)


async def resolve(
    session: AsyncSession, *, platform: str, workspace: str, external_user_id: str
) -> tuple[ChatIdentity, User] | None:
    row = (
        await session.execute(
            select(ChatIdentity, User)
            .join(User, User.id == ChatIdentity.user_id)
            .where(
                ChatIdentity.platform == platform,
                ChatIdentity.workspace == workspace,
                ChatIdentity.external_user_id == external_user_id,
                User.active.is_(True),
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


_BOUND_USER = (
    select(User)
    .join(ChatIdentity, ChatIdentity.user_id == User.id)
    .where(
        ChatIdentity.platform == bindparam("platform"),
        ChatIdentity.workspace == bindparam("workspace"),
        ChatIdentity.external_user_id == bindparam("external_user_id"),
        User.active.is_(True),
    )
)
"""Built once: every turn runs it, and building a statement costs more than running it."""


async def bound_user(session: AsyncSession, *, platform: str, workspace: str, external_user_id: str) -> User | None:
    """The active user a chat identity is bound to (what every turn needs), or None."""
    params = {"platform": platform, "workspace": workspace, "external_user_id": external_user_id}
    return (await session.scalars(_BOUND_USER, params)).first()


async def user_by_login(session: AsyncSession, login: str) -> User:
    user = await session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        raise NotFound("error.user_unknown", login=login)
    return user


async def create_binding_code(uow: UnitOfWork, *, actor: Actor | None, login: str) -> str:
    """A one-time code for `login`; `actor` None means the operator's command line."""
    if actor is not None and actor.user.role != Role.ADMIN:
        raise PermissionDenied()
    user = await user_by_login(uow.session, login)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    uow.session.add(
        BindingCode(
            code_hash=_hash(raw),
            user_id=user.id,
            created_by_id=actor.user.id if actor else None,
            expires_at=utcnow() + CODE_TTL,
        )
    )
    uow.audit(actor, "binding_code.create", "user", user.id)
    return f"{raw[:4]}-{raw[4:]}"


async def bind_with_code(
    uow: UnitOfWork, *, platform: str, workspace: str, external_user_id: str, chat_id: str, code: str
) -> User:
    now = utcnow()
    # Spend the code atomically: of two chats racing with one code, one wins.
    spent = await uow.session.execute(
        update(BindingCode)
        .where(BindingCode.code_hash == _hash(code), BindingCode.used_at.is_(None), BindingCode.expires_at > now)
        .values(used_at=now)
        .returning(BindingCode.id, BindingCode.user_id)
    )
    row = spent.first()
    if row is None:
        raise InvalidInput("error.bind_code_invalid")
    user = await uow.session.get_one(User, row.user_id)
    identity = await _attach(uow, user, platform, workspace, external_user_id, chat_id)
    await uow.session.execute(
        update(BindingCode).where(BindingCode.id == row.id).values(used_by_identity_id=identity.id)
    )
    uow.audit(Actor(user, platform), "chat.bind", "user", user.id, platform=platform)
    uow.record(ChatBound(user_id=user.id, platform=platform))
    return user


async def bind_directly(
    uow: UnitOfWork, *, user: User, platform: str, workspace: str, external_user_id: str, chat_id: str
) -> ChatIdentity:
    """Bind without a code: for local, already trusted front ends (console, demo web chat)."""
    existing = await resolve(uow.session, platform=platform, workspace=workspace, external_user_id=external_user_id)
    if existing is not None:
        return existing[0]
    identity = await _attach(uow, user, platform, workspace, external_user_id, chat_id)
    uow.audit(Actor(user, platform), "chat.bind", "user", user.id, platform=platform, direct=True)
    return identity


async def _attach(
    uow: UnitOfWork, user: User, platform: str, workspace: str, external_user_id: str, chat_id: str
) -> ChatIdentity:
    identity = await uow.session.scalar(
        select(ChatIdentity).where(
            ChatIdentity.platform == platform,
            ChatIdentity.workspace == workspace,
            ChatIdentity.external_user_id == external_user_id,
        )
    )
    if identity is None:
        identity = ChatIdentity(
            platform=platform, workspace=workspace, external_user_id=external_user_id, chat_id=chat_id, user_id=user.id
        )
        uow.session.add(identity)
    else:
        identity.user_id, identity.chat_id, identity.bound_at = user.id, chat_id, utcnow()
    await uow.session.flush()
    return identity


async def set_locale(uow: UnitOfWork, *, actor: Actor, locale: str) -> None:
    if locale not in LOCALES:
        raise InvalidInput("error.locale", value=locale)
    user = await uow.session.get_one(User, actor.user.id)
    user.locale = locale
    uow.audit(actor, "user.locale", "user", user.id, locale=locale)

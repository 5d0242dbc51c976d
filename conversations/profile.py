"""What a front end may read about a chat's user outside a turn: the language, and a home screen.

Adapters need the user's language for their own few labels (a link button, a modal's
close button) and some platforms show a home tab; neither must touch the dialog state.
"""

from __future__ import annotations

from sqlalchemy import select

from conversations.context import Ctx, Deps
from conversations.flows.agenda import AgendaFlow
from conversations.flows.menu import menu_labels
from conversations.i18n import normalise_locale
from conversations.inbound import CommandEvent, ConversationKey, Turn
from conversations.messages import Reply, Text
from core.models import ChatIdentity, User
from core.permissions import scope_for
from core.services import identities
from core.uow import UnitOfWork


async def locale_of(
    deps: Deps, *, platform: str, workspace: str = "", user: str | None = None, chat: str | None = None,
    fallback: str | None = None,
) -> str:
    """The bound user's language for a chat user (or, without one, the user a chat belongs to);
    without one picked, `fallback` (the platform's hint) or the deployment's default."""
    query = select(User.locale).join(ChatIdentity, ChatIdentity.user_id == User.id).where(ChatIdentity.platform == platform)
    if user is not None:
        query = query.where(ChatIdentity.workspace == workspace, ChatIdentity.external_user_id == user)
    elif chat is not None:
        query = query.where(ChatIdentity.chat_id == chat)
    else:
        return normalise_locale(fallback) or deps.settings.default_locale
    async with deps.sessionmaker() as session:
        found = await session.scalar(query.limit(1))
    return normalise_locale(found) or normalise_locale(fallback) or deps.settings.default_locale


async def menu_of(deps: Deps, *, platform: str, user: str, workspace: str = "", fallback: str | None = None) -> tuple[str, tuple[str, ...]]:
    """A chat user's language (as `locale_of`) and the labels of their role's main menu (none
    when unbound), for a front end's own shortcuts such as Telegram's main keyboard."""
    query = (
        select(User.locale, User.role).join(ChatIdentity, ChatIdentity.user_id == User.id)
        .where(ChatIdentity.platform == platform, ChatIdentity.workspace == workspace, ChatIdentity.external_user_id == user)
    )
    async with deps.sessionmaker() as session:
        found = (await session.execute(query.limit(1))).first()
    locale = normalise_locale(found.locale if found else None) or normalise_locale(fallback) or deps.settings.default_locale
    return locale, menu_labels(found.role if found else None, locale)


async def agenda_home(deps: Deps, key: ConversationKey, locale_hint: str | None = None) -> tuple[list[Reply], str]:
    """Today's agenda for a home tab (read only; the dialog in progress is left alone)."""
    async with UnitOfWork(deps.sessionmaker, deps.bus) as uow:
        turn = Turn(key, CommandEvent("agenda"), locale_hint=locale_hint)
        ctx = Ctx(turn=turn, deps=deps, uow=uow, locale=normalise_locale(locale_hint) or deps.settings.default_locale)
        found = await identities.resolve(
            uow.session, platform=key.platform, workspace=key.workspace, external_user_id=key.user
        )
        if found is None:
            return [Text(ctx.t("bind.prompt"))], ctx.locale
        ctx.user = found[1]
        ctx.scope = await scope_for(uow.session, ctx.user)
        ctx.locale = normalise_locale(ctx.user.locale) or ctx.locale
        replies = await AgendaFlow().start(ctx, "")
        await uow.rollback()
        return replies, ctx.locale

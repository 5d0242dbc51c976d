"""Admins create a one-time binding code for a user from chat: /bindcode <login>."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.messages import Reply, Text
from core.models import Role
from core.services import identities


class BindCodeFlow(Flow):
    code = "bc"
    commands = ("bindcode", "绑定码")
    roles = frozenset({Role.ADMIN})

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        login = args.strip()
        if not login:
            ctx.begin(self.code, "login")
            return [Text(ctx.t("bindcode.ask"))]
        return await self._create(ctx, login)

    async def on_event(self, ctx: Ctx, event: object) -> list[Reply]:
        from conversations.inbound import TextEvent

        if isinstance(event, TextEvent):
            return await self._create(ctx, event.text.strip())
        return self.unexpected(ctx)

    async def _create(self, ctx: Ctx, login: str) -> list[Reply]:
        code = await identities.create_binding_code(ctx.uow, actor=ctx.actor, login=login[:64])
        ctx.finish()
        return [Text(ctx.t("bindcode.created", login=login[:64], code=code))]

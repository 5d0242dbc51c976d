"""Binding a chat account to a CRM user with a one-time code; the only thing an unbound user can do."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Choices, Reply, Text
from core.services import identities


class BindFlow(Flow):
    code = "bd"
    commands = ("bind", "绑定")
    needs_user = False

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        if ctx.user is not None:
            return [Text(ctx.t("bind.already", name=ctx.user.display_name(ctx.locale)))]
        if args and identities.looks_like_code(args):
            return await self._bind(ctx, args)
        return self._prompt(ctx)

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if ctx.user is not None:
            return self.unexpected(ctx)
        if isinstance(event, TextEvent):
            text = event.text.strip()
            word, _, rest = text.lstrip("/").partition(" ")
            candidate = rest if word.lower() in ("bind", "绑定", "start") else text
            if identities.looks_like_code(candidate):
                return await self._bind(ctx, candidate)
            if len(identities.normalise_code(candidate)) in range(6, 11):
                return [Text(ctx.t("error.bind_code_invalid"))]
        return self._prompt(ctx)

    def _prompt(self, ctx: Ctx) -> list[Reply]:
        langs = (
            ctx.button("中文", "lg", "zh-CN", stateless=True),
            ctx.button("English", "lg", "en", stateless=True),
        )
        return [Text(ctx.t("bind.prompt")), Choices(ctx.t("lang.prompt"), langs)]

    async def _bind(self, ctx: Ctx, code: str) -> list[Reply]:
        key = ctx.turn.key
        user = await identities.bind_with_code(
            ctx.uow, platform=key.platform, workspace=key.workspace, external_user_id=key.user, chat_id=key.chat, code=code
        )
        picked = ctx.dialog.data.get("locale") if ctx.dialog else None
        if picked and not user.locale:
            user.locale = picked
        ctx.user = user
        ctx.locale = user.locale or ctx.locale
        ctx.finish()
        from core.permissions import scope_for

        ctx.scope = await scope_for(ctx.session, user)
        welcome = Text(ctx.t("bind.done", name=user.display_name(ctx.locale), role=ctx.t(f"role.{user.role.value}")))
        return [welcome, *await ctx.start_flow("menu")]

"""Pick the interface language (zh-CN or en); before binding it is kept with the dialog."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.flows.menu import main_menu
from conversations.i18n import LOCALES, translate
from conversations.messages import Choices, Reply, Text
from core.services import identities

NAMES = {"zh-CN": "中文", "en": "English"}


class LanguageFlow(Flow):
    code = "lg"
    commands = ("lang", "language", "语言")
    needs_user = False

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        wanted = args.strip()
        if wanted in LOCALES:
            return await self.on_action(ctx, wanted)
        buttons = tuple(ctx.button(NAMES[loc], self.code, loc, stateless=True) for loc in LOCALES)
        return [Choices(ctx.t("lang.prompt"), buttons)]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg not in LOCALES:
            return [Text(ctx.t("error.action_expired"))]
        if ctx.user is not None:
            await identities.set_locale(ctx.uow, actor=ctx.actor, locale=arg)
        else:
            if ctx.dialog is None:
                ctx.begin("bd", "code")
            ctx.goto(ctx.dialog.step if ctx.dialog else "code", locale=arg)
        ctx.locale = arg
        if ctx.user is None:
            return [Text(translate(arg, "lang.done"))]
        return [Text(translate(arg, "lang.done")), main_menu(ctx)]  # the menu (and a keyboard) in the new language

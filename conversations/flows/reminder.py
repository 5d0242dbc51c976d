"""Open one reminder from the morning digest: its stored card, with its buttons, as it was sent."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.messages import Reply, Text
from conversations.reply_codec import BadPayload, load_all
from core.services import outbox_view


class ReminderFlow(Flow):
    code = "rm"

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not (arg.startswith("o") and arg[1:].isdigit()):
            return [Text(ctx.t("error.action_expired"))]
        assert ctx.user is not None
        row = await outbox_view.own(ctx.session, user_id=ctx.user.id, notification_id=int(arg[1:]))
        try:
            return load_all(row.replies)
        except BadPayload:
            return [Text(row.summary)]

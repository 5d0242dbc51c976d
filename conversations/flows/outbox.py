"""The notification outbox for admins (/outbox): counts by status and kind, lists, retry.

Undeliverable rows (nobody to send to: no chat binding, or every chat refused) and
failed ones (retries used up) are listed with their reason; after fixing the cause
(binding the user's chat, say) an admin puts them back in the queue with one tap.
"""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.i18n import catalog_keys, labelled
from conversations.messages import Action, Choices, Reply, Text
from core.models import OutboxStatus, Role
from core.services import outbox_view
from core.services.outbox_view import RETRYABLE, OutboxRow

PAGE = 10


def kind_name(ctx: Ctx, code: str) -> str:
    """The kind's name in the reader's language; its code when a feature registered none."""
    key = f"notify.kind.{code}"
    return ctx.t(key) if key in catalog_keys(ctx.locale) else code
LISTED = (OutboxStatus.QUEUED, OutboxStatus.FAILED, OutboxStatus.UNDELIVERABLE, OutboxStatus.SENT)


class OutboxFlow(Flow):
    code = "ob"
    commands = ("outbox", "发件箱", "通知队列")
    roles = frozenset({Role.ADMIN})

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        if args.strip():
            status = outbox_view.status_of(args.strip().split()[0])
            return await self._list(ctx, status, 0)
        return await self._summary(ctx)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        kind, _, rest = arg.partition(":")
        if kind == "l":
            status, _, offset = rest.partition(":")
            return await self._list(ctx, outbox_view.status_of(status), int(offset) if offset.isdigit() else 0)
        if kind == "r" and rest.isdigit():
            row = await outbox_view.retry(ctx.uow, actor=ctx.actor, notification_id=int(rest))
            return [Text(ctx.t("outbox.retried", id=row.id, summary=row.summary))]
        if kind == "s":
            return await self._summary(ctx)
        return [Text(ctx.t("error.action_expired"))]

    async def _summary(self, ctx: Ctx) -> list[Reply]:
        counts = await outbox_view.counts(ctx.session)
        if not counts:
            return [Text(ctx.t("outbox.empty"))]
        lines = [ctx.t("outbox.header")]
        for status in OutboxStatus:
            kinds = counts.get(status.value)
            if not kinds:
                continue
            detail = ", ".join(f"{kind_name(ctx, k)} {n}" for k, n in sorted(kinds.items()))
            lines.append(f"• {labelled(ctx.t('outbox.status.' + status.value), str(sum(kinds.values())))} ({detail})")
        buttons = tuple(
            ctx.button(ctx.t("outbox.status." + s.value), self.code, f"l:{s.value}:0", stateless=True)
            for s in LISTED
            if counts.get(s.value)
        )
        return [Text("\n".join(lines)), Choices(ctx.t("outbox.pick"), buttons)] if buttons else [Text("\n".join(lines))]

    async def _list(self, ctx: Ctx, status: OutboxStatus | None, offset: int) -> list[Reply]:
        rows = await outbox_view.listing(ctx.session, status=status, limit=PAGE + 1, offset=offset)
        title = ctx.t("outbox.status." + status.value) if status else ctx.t("outbox.all")
        if not rows:
            return [Text(ctx.t("outbox.none", status=title))]
        lines = [ctx.t("outbox.list_header", status=title)] + [self._line(ctx, r) for r in rows[:PAGE]]
        buttons: list[Action] = [
            ctx.button(ctx.t("outbox.retry", id=r.id), self.code, f"r:{r.id}", stateless=True)
            for r in rows[:PAGE]
            if r.status in {s.value for s in RETRYABLE}
        ]
        if len(rows) > PAGE:
            more = f"l:{status.value if status else ''}:{offset + PAGE}"
            buttons.append(ctx.button(ctx.t("button.more"), self.code, more, stateless=True))
        buttons.append(ctx.button(ctx.t("outbox.back"), self.code, "s", stateless=True))
        return [Text("\n".join(lines)), Choices(ctx.t("outbox.pick"), tuple(buttons))]

    def _line(self, ctx: Ctx, r: OutboxRow) -> str:
        when = ctx.fmt.datetime(r.sent_at or r.send_after)
        who = r.user_name_en if ctx.locale == "en" and r.user_name_en else r.user_name
        line = f"#{r.id} {kind_name(ctx, r.kind)} → {who} ({r.login}) · {when} · {r.summary[:60]}"
        if r.attempts:
            line += " · " + ctx.t("outbox.attempts", n=r.attempts)
        if r.last_error:
            line += f"\n    ⚠ {r.last_error[:160]}"
        return line

"""`/rules` (admins): the approval thresholds in force, and changing one level's amount and discount."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Choices, Reply, Text
from core.errors import InvalidInput
from core.models import Role
from core.services.approval_admin import save_rule
from core.services.approval_rules import Rule, defaults_from, rules_in_force

NONE_WORDS = {"-", "none", "no", "无", "不限", "0"}


class ApprovalRulesFlow(Flow):
    code = "ru"
    commands = ("rules", "审批规则", "approvalrules")
    roles = frozenset({Role.ADMIN})

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        rules = await rules_in_force(ctx.session, defaults_from(ctx.deps.settings))
        lines = [ctx.t("rules.header")] + [self._row(ctx, r) for r in rules]
        buttons = tuple(
            ctx.button(ctx.t("rules.edit", level=r.level, kind=ctx.t(f"approval.kind.{r.approver.value}")), self.code, f"e{r.level}", stateless=True)
            for r in rules
        )
        return [Text("\n".join(lines)), Choices(ctx.t("rules.pick"), buttons)]

    def _row(self, ctx: Ctx, rule: Rule) -> str:
        parts = []
        if rule.amount_above is not None:
            parts.append(ctx.t("approval.why.amount", amount=ctx.fmt.money(rule.amount_above)))
        if rule.discount_above is not None:
            parts.append(ctx.t("approval.why.discount", pct=format(rule.discount_above.normalize(), "f")))
        kind = ctx.t(f"approval.kind.{rule.approver.value}")
        return ctx.t("rules.row", level=rule.level, kind=kind, when=ctx.t("rules.or").join(parts) or "-")

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg.startswith("e") and arg[1:].isdigit():
            ctx.begin(self.code, "amount", level=int(arg[1:]))
            return [Text(ctx.t("rules.ask_amount"))]
        return [Text(ctx.t("error.action_expired"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if ctx.dialog is None or not isinstance(event, TextEvent):
            return self.unexpected(ctx)
        value = self._number(event.text)
        if ctx.dialog.step == "amount":
            ctx.goto("discount", amount=None if value is None else str(value))
            return [Text(ctx.t("rules.ask_discount"))]
        amount = ctx.dialog.data.get("amount")
        await save_rule(
            ctx.uow, actor=ctx.actor, level=int(ctx.dialog.data["level"]), amount_above=Decimal(amount) if amount else None,
            discount_above=value, defaults=defaults_from(ctx.deps.settings),
        )
        ctx.finish()
        return [Text(ctx.t("rules.saved")), *await self.start(ctx, "")]

    def _number(self, text: str) -> Decimal | None:
        raw = text.strip().replace(",", "").replace("，", "").removesuffix("%").strip()
        if raw.lower() in NONE_WORDS:
            return None
        try:
            value = Decimal(raw[:-1]) * 10000 if raw.endswith("万") else Decimal(raw)
        except InvalidOperation:
            raise InvalidInput("rules.error.number", value=text.strip()[:30]) from None
        if not value.is_finite() or value < 0:
            raise InvalidInput("rules.error.number", value=text.strip()[:30])
        return value

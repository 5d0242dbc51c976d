"""`/target`: a dealer's quarterly sell-in target (销售目标) and progress, as a card and a bar chart;
its channel manager sets the target of the current quarter from the same card."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal

from conversations.charts import Bars, cjk_font, render_bars
from conversations.context import Ctx
from conversations.dealer_pick import DealerFlow
from conversations.i18n import translate
from conversations.inbound import Event, TextEvent
from conversations.messages import Action, Card, Field, Media, Reply, Text
from core.clock import zone
from core.errors import InvalidInput
from core.inventory.numerals import parse_number
from core.models import Customer, Role
from core.services.dealer_targets import Progress, progress, set_target
from core.services.dealers import managed_dealer

VIEWERS = frozenset({Role.DEALER, Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.FINANCE})
MANAGERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
_MONEY_NOISE = re.compile(r"[\s,，¥￥元]|rmb|cny", re.IGNORECASE)


def parse_amount(text: str) -> Decimal:
    """'120万', '1,200,000', '¥1200000元' → 1200000; anything else is refused."""
    value = parse_number(_MONEY_NOISE.sub("", text))
    if value is None or value <= 0:
        raise InvalidInput("target.error.amount")
    return value


class TargetsFlow(DealerFlow):
    code = "tg"
    commands = ("target", "targets", "目标", "销售目标")
    roles = VIEWERS

    async def on_dealer_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg[:1] == "s" and arg[1:].isdigit():
            dealer = await managed_dealer(ctx.session, ctx.me, int(arg[1:]))
            ctx.begin(self.code, "amount", dealer=dealer.id)
            return [Text(ctx.t("target.ask_amount", dealer=dealer.name, quarter=self._quarter_key(ctx)))]
        return [Text(ctx.t("error.action_expired"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if ctx.dialog is None or not isinstance(event, TextEvent):
            return self.unexpected(ctx)
        today = ctx.today()
        target = await set_target(
            ctx.uow, actor=ctx.actor, scope=ctx.me, dealer_id=int(ctx.dialog.data["dealer"]), year=today.year,
            quarter=(today.month - 1) // 3 + 1, amount=parse_amount(event.text),
        )
        ctx.finish()
        dealer = await managed_dealer(ctx.session, ctx.me, target.dealer_id)
        return [Text(ctx.t("target.saved", dealer=dealer.name, amount=ctx.fmt.money(target.amount))), *await self.open(ctx, dealer)]

    def _quarter_key(self, ctx: Ctx) -> str:
        today = ctx.today()
        return f"{today.year}Q{(today.month - 1) // 3 + 1}"

    async def open(self, ctx: Ctx, dealer: Customer) -> list[Reply]:
        assert ctx.user is not None
        found = await progress(ctx.session, dealer, ctx.today(), zone(ctx.timezone))
        actions: tuple[Action, ...] = ()
        if ctx.user.role in MANAGERS:
            actions = (ctx.button(ctx.t("target.btn.set"), self.code, f"s{dealer.id}", stateless=True),)
        replies: list[Reply] = [self._card(ctx, found, actions)]
        if ctx.turn.caps.images and any(q.target or q.done for q in found.year):
            replies.append(await self._chart(ctx, found))
        return replies

    def _card(self, ctx: Ctx, found: Progress, actions: tuple[Action, ...]) -> Card:
        q, money = found.current, ctx.fmt.money
        fields = [Field(ctx.t("target.f.target"), money(q.target) if q.target else ctx.t("target.none"))]
        fields.append(Field(ctx.t("target.f.done"), money(q.done)))
        if q.target:
            fields.append(Field(ctx.t("target.f.completion"), f"{q.pct} %"))
            fields.append(Field(ctx.t("target.f.remaining"), money(max(q.target - q.done, Decimal(0)))))
        fields.append(Field(ctx.t("target.f.days_left"), str(max(found.days_left, 0))))
        if found.rank is not None:
            fields.append(Field(ctx.t("target.f.rank"), ctx.t("target.rank", region=found.dealer.region or "-", n=found.rank[0], of=found.rank[1])))
        title = ctx.t("target.card.title", dealer=found.dealer.name, quarter=q.period.key)
        return Card(title, tuple(fields), actions, ref=f"target:{found.dealer.id}:{q.period.key}")

    async def _chart(self, ctx: Ctx, found: Progress) -> Media:
        """The year's four quarters, done against target; English labels when no CJK font is installed."""
        has_cjk = await asyncio.to_thread(lambda: cjk_font() is not None)
        locale = ctx.locale if ctx.locale == "en" or has_cjk else "en"
        bars = Bars(
            title=translate(locale, "target.chart_title", year=found.current.period.start.year),
            labels=[f"Q{i}" for i in range(1, 5)],
            values=[float(q.done) for q in found.year],
            secondary=[float(q.target or 0) for q in found.year],
            legend=(translate(locale, "target.legend_done"), translate(locale, "target.legend_target")),
            unit=translate(locale, "forecast.unit"),
            scale=10000.0 if locale == "zh-CN" else 1000.0,
        )
        png = await asyncio.to_thread(render_bars, bars)
        return Media("image", "target.png", "image/png", png, caption=ctx.t("target.caption", dealer=found.dealer.name))

"""Drafting a quote (报价): customer → product → options → unit and quantity → discount → review → submit.

The draft is stored from the first step, so `/quotes` finds it again; every number on the
review card comes from the core's pricing. Typed answers are checked there too, and a
wrong one (0, -3, 1.5 pumps, 120 %) gets a clear message while the dialog stays open.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Action, Card, Choices, Field, Reply, Text
from conversations.pickers import AS_TYPED, customer_choices, find_customers, find_products, plain_pick
from conversations.quote_review import review_card, submitted_replies
from core.errors import InvalidInput
from core.models import Customer, Product, ProductOption, ProductUnit, Quote, Role
from core.services import approvals, opportunities, pricing, quotes
from core.services.approval_rules import defaults_from, rules_in_force
from core.services.customers import readable
from core.services.quote_views import load_view

SELLERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
QUICK_DISCOUNTS = ("0", "5", "10", "15")


class QuoteFlow(Flow):
    code = "qt"
    commands = ("quote", "报价", "新报价", "newquote")
    roles = SELLERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        ctx.begin(self.code, "customer")
        if args:
            return await self._customers(ctx, args)
        return [Text(ctx.t("quote.ask_customer"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if ctx.dialog is None or not isinstance(event, TextEvent):
            return self.unexpected(ctx)
        step, text = ctx.dialog.step, event.text
        if step == "customer":
            return await self._customers(ctx, text)
        if step in ("product", "review"):  # typed on the review card: another line ("X200 5台")
            return await self._products(ctx, text)
        if step == "qty":
            return await self._quantity(ctx, text)
        if step == "discount":
            return await self._add_line(ctx, pricing.parse_discount(text))
        if step == "overall":
            return await self._overall(ctx, pricing.parse_discount(text))
        return self.unexpected(ctx)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        head, rest = _split(arg)
        if head == "e" and rest is not None:
            return await self._resume(ctx, rest)
        if head == "n" and rest is not None:
            if (draft := await self._draft_in_dialog(ctx)) is not None and draft.customer_id == rest:
                return await self._already_started(ctx, draft, rest)  # "New quote" tapped twice on the card
            ctx.begin(self.code, "customer")
            return await self._picked_customer(ctx, rest)
        if ctx.dialog is None or ctx.dialog.flow != self.code:
            return [Text(ctx.t("error.action_expired"))]
        handler = {
            "cu": self._picked_customer, "op": self._picked_opportunity, "p": self._picked_product,
            "t": self._toggle_option, "u": self._picked_unit, "x": self._remove,
        }.get(head)
        if handler is not None and rest is not None:
            return await handler(ctx, rest)
        simple = {
            "od": self._options_chosen, "add": self._ask_product, "rm": self._remove_menu, "ov": self._ask_overall,
            "sub": self._submit, "done": self._close, "rv": self._review,
        }.get(arg)
        if simple is not None:
            return await simple(ctx)
        if head == "d" and rest is not None and str(rest) in QUICK_DISCOUNTS:
            return await self._add_line(ctx, Decimal(rest))
        return [Text(ctx.t("error.action_expired"))]

    # -- customer and opportunity ---------------------------------------------
    async def _customers(self, ctx: Ctx, query: str) -> list[Reply]:
        hits = await find_customers(ctx, query)
        if (meant := plain_pick(hits, at_least=AS_TYPED)) is not None:
            return await self._picked_customer(ctx, meant.customer.id)
        return customer_choices(ctx, query, hits, flow=self.code, prefix="cu")

    async def _draft_in_dialog(self, ctx: Ctx) -> Quote | None:
        """The draft this quote dialog has started, if any."""
        if ctx.dialog is None or ctx.dialog.flow != self.code or ctx.dialog.data.get("quote_id") is None:
            return None
        return await ctx.session.get(Quote, int(ctx.dialog.data["quote_id"]))

    async def _already_started(self, ctx: Ctx, quote: Quote, customer_id: int) -> list[Reply]:
        """A second tap on the customer (a double tap on a slow network, or the next name on the
        same list) once the draft exists: one dialog drafts one quote, nothing more is stored."""
        customer = await ctx.session.get_one(Customer, quote.customer_id)
        number = quote.number or "-"
        if customer.id == customer_id:
            return [Text(ctx.t("quote.already_started", number=number, name=customer.name))]
        other = await readable(ctx.session, ctx.me, customer_id)
        return [Text(ctx.t("quote.other_customer", number=number, name=customer.name, other=other.name))]

    async def _picked_customer(self, ctx: Ctx, customer_id: int) -> list[Reply]:
        if (draft := await self._draft_in_dialog(ctx)) is not None:
            return await self._already_started(ctx, draft, customer_id)
        settings = ctx.deps.settings
        customer = await readable(ctx.session, ctx.me, customer_id)  # held: create_draft reads it from the session
        quote = await quotes.create_draft(
            ctx.uow, actor=ctx.actor, scope=ctx.me, customer_id=customer_id, today=ctx.today(),
            valid_days=settings.quote_valid_days, currency=settings.quote_currency,
        )
        ctx.goto("product", quote_id=quote.id)
        started = Text(ctx.t("quote.started", number=quote.number or "-", name=customer.name))
        opps = await opportunities.open_for_customer(ctx.session, customer_id)
        if not opps:
            return [started, Text(ctx.t("quote.ask_product"))]
        buttons = [ctx.button(f"{o.name} · {ctx.fmt.money(o.amount)}", self.code, f"op{o.id}") for o in opps[:5]]
        buttons.append(ctx.button(ctx.t("quote.no_opportunity"), self.code, "op0"))
        return [started, Choices(ctx.t("quote.pick_opportunity"), tuple(buttons))]

    async def _picked_opportunity(self, ctx: Ctx, opportunity_id: int) -> list[Reply]:
        await quotes.link_opportunity(ctx.uow, actor=ctx.actor, quote_id=self._quote_id(ctx), opportunity_id=opportunity_id or None)
        return await self._ask_product(ctx)

    # -- product, options, unit, quantity, discount ---------------------------
    async def _ask_product(self, ctx: Ctx) -> list[Reply]:
        ctx.goto("product")
        return [Text(ctx.t("quote.ask_product"))]

    async def _products(self, ctx: Ctx, query: str) -> list[Reply]:
        """A typed model that is exactly one product's SKU ("x200", "X200 5台") is taken as that
        product, with the quantity when one follows; anything else offers the matches."""
        first, _, rest = query.strip().partition(" ")
        hits = await find_products(ctx, first if rest else query)
        exact = [h for h in hits if h.product.sku.casefold() == first.casefold()]
        if len(exact) == 1:
            return await self._picked_product(ctx, exact[0].product.id, typed_qty=rest.strip() or None)
        if rest:
            hits = await find_products(ctx, query)
        if not hits:
            return [Text(ctx.t("quote.no_product", query=query.strip()[:60]))]
        buttons = tuple(
            ctx.button(f"{h.product.sku} · {self._name(ctx, h.product)} · {ctx.fmt.money(h.product.base_price)}/{h.product.base_unit}", self.code, f"p{h.product.id}")
            for h in hits
        )
        return [Choices(ctx.t("quote.pick_product"), buttons)]

    async def _picked_product(self, ctx: Ctx, product_id: int, typed_qty: str | None = None) -> list[Reply]:
        """`typed_qty`: a quantity typed with the model ("X1000 5", "B200 3箱"). It answers the
        quantity question when that comes, after the options (and the unit, which it names when
        it is one of the product's), so nothing typed is asked for again."""
        product = await ctx.session.get(Product, product_id)
        if product is None or not product.active:
            return [Text(ctx.t("quote.error.product"))]
        ctx.goto("options", product_id=product.id, options=[], unit=product.base_unit, typed_qty=typed_qty)
        if await self._options_of(ctx, product.id):
            return [await self._options_menu(ctx, product)]
        return await self._options_done(ctx)

    async def _options_of(self, ctx: Ctx, product_id: int) -> list[ProductOption]:
        rows = await ctx.session.scalars(select(ProductOption).where(ProductOption.product_id == product_id).order_by(ProductOption.id))
        return list(rows.all())

    async def _options_menu(self, ctx: Ctx, product: Product) -> Choices:
        assert ctx.dialog is not None
        chosen = set(ctx.dialog.data.get("options", []))
        buttons = [
            ctx.button(f"{'☑' if o.id in chosen else '☐'} {o.name} +{ctx.fmt.money(o.price_delta)}", self.code, f"t{o.id}")
            for o in await self._options_of(ctx, product.id)
        ]
        buttons.append(ctx.button(ctx.t("quote.options_done"), self.code, "od", style="primary"))
        return Choices(ctx.t("quote.pick_options", name=self._name(ctx, product)), tuple(buttons), ref=self._options_ref(ctx, product))

    @staticmethod
    def _options_ref(ctx: Ctx, product: Product) -> str:
        assert ctx.dialog is not None
        return f"quote-options:{ctx.dialog.instance}:{product.id}"

    @staticmethod
    def _line_at(ctx: Ctx, *steps: str) -> bool:
        """The line being added is at one of `steps`: its lists act only then (a list scrolled
        back to after Done, or after the line was added, must not rewind or break the dialog)."""
        return ctx.dialog is not None and ctx.dialog.step in steps and "product_id" in ctx.dialog.data

    async def _toggle_option(self, ctx: Ctx, option_id: int) -> list[Reply]:
        if not self._line_at(ctx, "options"):
            return [Text(ctx.t("quote.step_answered"))]
        assert ctx.dialog is not None
        product = await ctx.session.get_one(Product, int(ctx.dialog.data["product_id"]))
        await quotes.valid_options(ctx.session, product, [option_id])
        chosen = list(ctx.dialog.data.get("options", []))
        chosen = [o for o in chosen if o != option_id] if option_id in chosen else [*chosen, option_id]
        ctx.goto("options", options=chosen)
        return [await self._options_menu(ctx, product)]

    async def _options_chosen(self, ctx: Ctx) -> list[Reply]:
        """Done on the options list: the list, closed, shows what was chosen (on Telegram it is
        edited into that, so no live checkboxes stay above the next question), then the next step."""
        if not self._line_at(ctx, "options"):
            return [Text(ctx.t("quote.step_answered"))]
        assert ctx.dialog is not None
        product = await ctx.session.get_one(Product, int(ctx.dialog.data["product_id"]))
        chosen = set(ctx.dialog.data.get("options", []))
        names = [f"{o.name} +{ctx.fmt.money(o.price_delta)}" for o in await self._options_of(ctx, product.id) if o.id in chosen]
        closed = Card(self._name(ctx, product), (Field(ctx.t("quote.options_chosen"), "\n".join(names) or ctx.t("quote.options_none")),),
                      ref=self._options_ref(ctx, product))
        return [closed, *await self._options_done(ctx)]

    async def _options_done(self, ctx: Ctx) -> list[Reply]:
        assert ctx.dialog is not None
        product = await ctx.session.get_one(Product, int(ctx.dialog.data["product_id"]))
        units = (await ctx.session.scalars(select(ProductUnit).where(ProductUnit.product_id == product.id).order_by(ProductUnit.id))).all()
        if not units:
            return await self._ask_quantity(ctx, product.base_unit)
        typed_unit = pricing.quantity_unit(str(ctx.dialog.data.get("typed_qty") or ""))
        if typed_unit in (product.base_unit, *(u.unit for u in units)):
            return await self._ask_quantity(ctx, str(typed_unit))
        buttons = [ctx.button(product.base_unit, self.code, "u0")]
        buttons += [ctx.button(f"{u.unit} (= {pricing.percent(u.factor).normalize():f} {product.base_unit})", self.code, f"u{u.id}") for u in units]
        ctx.goto("unit")
        return [Choices(ctx.t("quote.pick_unit"), tuple(buttons))]

    async def _picked_unit(self, ctx: Ctx, unit_id: int) -> list[Reply]:
        if not self._line_at(ctx, "unit"):
            return [Text(ctx.t("quote.step_answered"))]
        assert ctx.dialog is not None
        product = await ctx.session.get_one(Product, int(ctx.dialog.data["product_id"]))
        unit = product.base_unit
        if unit_id:
            row = await ctx.session.get(ProductUnit, unit_id)
            if row is None or row.product_id != product.id:
                return [Text(ctx.t("error.action_expired"))]
            unit = row.unit
        return await self._ask_quantity(ctx, unit)

    async def _ask_quantity(self, ctx: Ctx, unit: str) -> list[Reply]:
        ctx.goto("qty", unit=unit)
        assert ctx.dialog is not None
        if typed := ctx.dialog.data.pop("typed_qty", None):
            try:
                return await self._quantity(ctx, str(typed))
            except InvalidInput:  # "X200 abc": the product stands, the quantity is asked for
                pass
        return [Text(ctx.t("quote.ask_qty", unit=unit))]

    async def _quantity(self, ctx: Ctx, text: str) -> list[Reply]:
        assert ctx.dialog is not None
        quantity = pricing.check_quantity(pricing.parse_quantity(text), str(ctx.dialog.data["unit"]))
        ctx.goto("discount", qty=str(quantity))
        buttons = tuple(ctx.button(f"{d} %", self.code, f"d{d}") for d in QUICK_DISCOUNTS)
        return [Choices(ctx.t("quote.ask_discount"), buttons)]

    async def _add_line(self, ctx: Ctx, discount: Decimal) -> list[Reply]:
        assert ctx.dialog is not None
        data = ctx.dialog.data
        if not self._line_at(ctx, "discount") or "qty" not in data:
            return [Text(ctx.t("quote.step_answered"))]
        await quotes.add_line(
            ctx.uow, actor=ctx.actor, quote_id=self._quote_id(ctx), product_id=int(data["product_id"]),
            quantity=Decimal(str(data["qty"])), option_ids=[int(o) for o in data.get("options", [])],
            unit=str(data["unit"]), discount_pct=discount,
        )
        for key in ("product_id", "qty", "options", "unit", "typed_qty"):
            data.pop(key, None)
        return await self._review(ctx)

    # -- review, remove, overall discount, submit -----------------------------
    async def _review(self, ctx: Ctx) -> list[Reply]:
        ctx.goto("review")
        view = await load_view(ctx.session, self._quote_id(ctx))
        return [review_card(ctx, view, self.code)]

    async def _remove_menu(self, ctx: Ctx) -> list[Reply]:
        view = await load_view(ctx.session, self._quote_id(ctx))
        buttons: list[Action] = [
            ctx.button(f"{n}. {lv.line.description[:40]} × {pricing.percent(lv.line.quantity).normalize():f}", self.code, f"x{lv.line.id}")
            for n, lv in enumerate(view.lines, start=1)
        ]
        buttons.append(ctx.button(ctx.t("quote.back"), self.code, "rv"))
        return [Choices(ctx.t("quote.pick_remove"), tuple(buttons))]

    async def _remove(self, ctx: Ctx, line_id: int) -> list[Reply]:
        await quotes.remove_line(ctx.uow, actor=ctx.actor, quote_id=self._quote_id(ctx), line_id=line_id)
        return await self._review(ctx)

    async def _ask_overall(self, ctx: Ctx) -> list[Reply]:
        ctx.goto("overall")
        return [Text(ctx.t("quote.ask_overall"))]

    async def _overall(self, ctx: Ctx, discount: Decimal) -> list[Reply]:
        await quotes.set_discount(ctx.uow, actor=ctx.actor, quote_id=self._quote_id(ctx), discount_pct=discount)
        return await self._review(ctx)

    async def _submit(self, ctx: Ctx) -> list[Reply]:
        quote_id = self._quote_id(ctx)
        rules = await rules_in_force(ctx.session, defaults_from(ctx.deps.settings))
        await approvals.submit(
            ctx.uow, actor=ctx.actor, scope=ctx.me, quote_id=quote_id, rules=rules, now=ctx.turn.received_at, today=ctx.today(),
        )
        ctx.finish()
        return submitted_replies(ctx, await load_view(ctx.session, quote_id))

    async def _close(self, ctx: Ctx) -> list[Reply]:
        view = await load_view(ctx.session, self._quote_id(ctx))
        ctx.finish()
        return [Text(ctx.t("quote.saved", number=view.quote.number or "-"))]

    async def _resume(self, ctx: Ctx, quote_id: int) -> list[Reply]:
        """Continue a draft from `/quotes` (a stateless button)."""
        await quotes.editable(ctx.session, ctx.actor, quote_id)
        ctx.begin(self.code, "review", quote_id=quote_id)
        return await self._review(ctx)

    # -- helpers ---------------------------------------------------------------
    def _quote_id(self, ctx: Ctx) -> int:
        assert ctx.dialog is not None
        return int(ctx.dialog.data["quote_id"])

    def _name(self, ctx: Ctx, product: Product) -> str:
        return product.name_en if ctx.locale == "en" and product.name_en else product.name_zh


def _split(arg: str) -> tuple[str, int | None]:
    """'cu12' → ('cu', 12); 'sub' → ('sub', None)."""
    head = arg.rstrip("0123456789")
    tail = arg[len(head):]
    return head, int(tail) if tail else None


"""How a dealer's stock looks in chat: the confirmation card of a report, its open questions,
and the latest snapshot.

Questions name the line as the dealer wrote it ("离心水泵 12台: which product?"), so
that nobody has to count lines; every answer is a button where one exists.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from conversations.context import Ctx
from conversations.messages import Action, Card, Choices, Field, Reply, Text
from core.inventory.resolve import Found
from core.inventory.units import MAX_QUANTITY, Problem
from core.models import Customer, Product
from core.services.stock_reports import Item, Question, Review, Row
from core.services.stock_views import Figure

FLOW = "sr"
MAX_ROWS_SHOWN = 25
Button = Callable[[str, str], Action]


def qty(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def product_name(ctx: Ctx, product: Product) -> str:
    name = product.name_en if ctx.locale == "en" and product.name_en else product.name_zh
    return name if name.upper().startswith(product.sku.upper()) else f"{product.sku} {name}"


def _row_value(ctx: Ctx, row: Row) -> str:
    text = ctx.t("stock.row.qty", qty=qty(row.quantity), unit=row.product.base_unit)
    entered = " + ".join(row.entered)
    if entered and entered != f"{qty(row.quantity)}{row.product.base_unit}":
        text += ctx.t("stock.row.entered", entered=entered)
    if row.previous is not None and row.previous_date is not None:
        text += ctx.t("stock.row.previous", qty=qty(row.previous), date=ctx.fmt.date(row.previous_date))
    else:
        text += ctx.t("stock.row.first")
    return text


def review_replies(ctx: Ctx, dealer: Customer, review: Review, button: Button, *, draft: str, saved: bool = False) -> list[Reply]:
    """The card to check before confirming (named `stock-draft:<draft>` so that platforms which can
    edit the tapped card collapse it once saved: `saved` shows it without buttons or questions)."""
    fields = [Field(product_name(ctx, r.product), _row_value(ctx, r)) for r in review.rows[:MAX_ROWS_SHOWN]]
    if len(review.rows) > MAX_ROWS_SHOWN:
        fields.append(Field("…", ctx.t("stock.more_rows", count=len(review.rows) - MAX_ROWS_SHOWN)))
    for row in review.summed():
        fields.append(Field(ctx.t("stock.summed_label"), ctx.t(
            "stock.summed", sku=row.product.sku, count=len(row.entered), parts=" + ".join(row.entered),
            total=qty(row.quantity), unit=row.product.base_unit,
        )))
    actions = [button(ctx.t("stock.btn.confirm"), "ok")] if review.ready else []
    actions += [button(ctx.t("stock.btn.edit"), "ed"), button(ctx.t("stock.btn.cancel"), "x")]
    if saved:
        actions, subtitle = [], ctx.t("stock.card.saved", count=len(review.rows))
    elif review.questions:
        subtitle = ctx.t("stock.card.open", count=len(review.questions))
    else:
        subtitle = ctx.t("stock.card.ready", count=len(review.rows))
    title = ctx.t("stock.card.title", dealer=dealer.name, date=ctx.fmt.date(ctx.today()))
    replies: list[Reply] = [Card(title, tuple(fields), tuple(actions), subtitle=subtitle, ref=f"stock-draft:{draft}")]
    if saved:
        return replies
    for q in review.questions:
        replies.append(question_reply(ctx, q, button))
    return replies


def question_reply(ctx: Ctx, q: Question, button: Button) -> Reply:
    source = q.item.source[:60]
    drop = button(ctx.t("stock.btn.drop"), f"d{q.n}")
    if q.kind in (Found.AMBIGUOUS, Found.UNKNOWN) and q.products:
        key = "stock.q.ambiguous" if q.kind == Found.AMBIGUOUS else "stock.q.did_you_mean"
        options = tuple(button(ctx.t("search.product_label", sku=p.sku, name=product_name(ctx, p)), f"p{q.n}:{p.id}") for p in q.products)
        return Choices(ctx.t(key, source=source, mention=q.item.mention), (*options, drop))
    product = q.products[0] if q.products else None
    params: dict[str, object] = {"source": source, "mention": q.item.mention, "qty": q.item.qty_text or "-"}
    if product is not None:
        params |= {"sku": product.sku, "name": product_name(ctx, product), "base": product.base_unit}
    if q.kind == Problem.TOO_LARGE:
        params["limit"] = ctx.fmt.number(MAX_QUANTITY)
    if q.kind == Problem.WRONG_UNIT:
        params["unit"] = q.item.unit or "-"
    if q.kind == Problem.FRACTION:
        params["unit"] = q.item.unit or (product.base_unit if product else "-")
    return Choices(ctx.t(f"stock.q.{q.kind}", **params), (drop,))


def snapshot_card(ctx: Ctx, dealer: Customer, figures: list[Figure], actions: tuple[Action, ...] = ()) -> Card:
    if not figures:
        return Card(ctx.t("stock.snapshot.title", dealer=dealer.name), (Field(ctx.t("stock.snapshot.empty_label"), ctx.t("stock.snapshot.empty")),), actions)
    fields = []
    for f in figures[:MAX_ROWS_SHOWN]:
        value = ctx.t("stock.snapshot.row", qty=qty(f.quantity), unit=f.product.base_unit, date=ctx.fmt.date(f.day))
        if f.minimum is not None:
            key = "stock.snapshot.low" if f.low else "stock.snapshot.min"
            value += ctx.t(key, min=qty(f.minimum))
        fields.append(Field(product_name(ctx, f.product), value))
    if len(figures) > MAX_ROWS_SHOWN:
        fields.append(Field("…", ctx.t("stock.more_rows", count=len(figures) - MAX_ROWS_SHOWN)))
    low = sum(1 for f in figures if f.low)
    subtitle = ctx.t("stock.snapshot.subtitle_low", count=low) if low else ctx.t("stock.snapshot.subtitle", count=len(figures))
    return Card(ctx.t("stock.snapshot.title", dealer=dealer.name), tuple(fields), actions, subtitle=subtitle, ref=f"stock:{dealer.id}")


def edit_items(items: list[Item], arg: str) -> list[Item] | None:
    """A card button on one line: 'p<n>:<product>' picks a choice, 'd<n>' removes the line; None: not one."""
    if arg[:1] == "p" and ":" in arg:
        n, _, pid = arg[1:].partition(":")
        if n.isdigit() and pid.isdigit() and int(n) < len(items) and int(pid) in items[int(n)].ids:
            return [Item.load({**it.dump(), "pick": int(pid)}) if i == int(n) else it for i, it in enumerate(items)]
    if arg[:1] == "d" and arg[1:].isdigit() and int(arg[1:]) < len(items):
        return [it for i, it in enumerate(items) if i != int(arg[1:])]
    return None


def no_product(ctx: Ctx) -> list[Reply]:
    return [Text(ctx.t("stock.no_product"))]

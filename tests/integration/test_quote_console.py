"""A whole quote in the terminal console: numbered choices, from draft to two approvals to an order."""

from __future__ import annotations

from sqlalchemy import select

from bots.console.adapter import ConsoleAdapter
from core.models import ApprovalStep, Order, Quote, QuoteStatus
from tests.support.catalog import add_catalog


async def run(adapter: ConsoleAdapter, login: str, script: list[str]) -> str:
    lines, shown = iter(script), []

    def read(_prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    await adapter.run(login, read=read, write=shown.append)
    return "\n".join(shown)


async def test_quote_from_draft_to_order_in_the_console(container, world):
    await add_catalog(container.sessionmaker)
    adapter = container.adapters.get("console")
    assert isinstance(adapter, ConsoleAdapter)
    rep = await run(adapter, "rep", [
        "/quote 恒力",                  # the customer: the only match, taken without a pick
        "X1000",                        # the product (its exact model)
        "1", "3",                       # 100kW motor, then Done
        "10", "2",                      # ten pumps at 5 % off
        "4",                            # Submit
    ])
    assert "☑ 100kW 电机" in rep and "1. ✅ Approve" not in rep
    assert "CN¥1,080,000.00" in rep and "CN¥1,026,000.00" in rep  # (96,000 + 12,000) × 10, −5 %
    assert "2 approval steps, now waiting for Wang Qiang (manager)" in rep
    manager = await run(adapter, "manager", ["/approvals", "1"])
    assert "1. ✅ Approve" in manager and "Next: Zhao Min (director)" in manager
    director = await run(adapter, "director", ["/approvals", "1"])
    assert "fully approved" in director
    rep = await run(adapter, "rep", ["/quotes", "1", "1"])
    assert "Convert to order" in rep and "Order SO-" in rep
    async with container.sessionmaker() as s:
        quote = (await s.scalars(select(Quote))).one()
        assert quote.status == QuoteStatus.ORDERED
        assert [x.decided_platform for x in (await s.scalars(select(ApprovalStep).order_by(ApprovalStep.position))).all()] == ["console", "console"]
        assert (await s.scalars(select(Order))).one().total == quote.total

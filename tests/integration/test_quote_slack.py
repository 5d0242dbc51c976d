"""A whole quote on Slack: drafted in the DM with Block Kit buttons, the card pushed to the manager,
approved with a click, the card updated to the outcome without buttons, the order made from the notice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.models import ApprovalCard, Quote, QuoteStatus, utcnow
from tests.support.catalog import add_catalog
from tests.support.slack import find_button, slack_env


def has_buttons(blocks: list[dict]) -> bool:
    return any(b.get("type") == "actions" for b in blocks)


async def test_quote_on_slack(clean_db, world):
    async with slack_env(clean_db) as env:

        async def with_button(person, label: str) -> dict:
            """The latest message to `person` offering a `label` button (Slack replies arrive after the ack)."""

            def found() -> list[dict]:
                return [m for m in person.posts() if any(label in str(e.get("text")) for b in m.get("blocks") or [] if b.get("type") == "actions" for e in b.get("elements", []))]

            await env.mock.wait_until(lambda: bool(found()), 10, label)
            return found()[-1]

        async def seen(person, text: str) -> None:
            await env.mock.wait_until(lambda: any(text in str(m) for m in person.posts()), 10, text)

        await add_catalog(env.container.sessionmaker)
        rep, manager = await env.bound("rep"), await env.bound("manager")
        await rep.say("quote 恒力")
        await seen(rep, "Which product?")
        await rep.say("X1000")
        await rep.click(await with_button(rep, "Done"), "Done")
        await seen(rep, "How many")
        await rep.say("2")
        await rep.click(await with_button(rep, "0 %"), "0 %")
        await rep.click(await with_button(rep, "Submit"), "Submit")
        await seen(rep, "now waiting for Wang Qiang")

        assert env.container.notifier is not None
        await env.container.notifier.deliver(utcnow() + timedelta(days=1))
        card = await with_button(manager, "Approve")
        assert find_button(card["blocks"], "Reject") and find_button(card["blocks"], "Comment")
        await manager.click(card, "Approve")
        await seen(manager, "fully approved")
        await env.container.notifier.deliver(utcnow() + timedelta(days=1))
        updated = lambda: [c.args for c in env.mock.of("chat.update") if c.args.get("ts") == card["ts"]]  # noqa: E731
        await env.mock.wait_until(lambda: bool(updated()), 10, "card updated")
        assert not has_buttons(updated()[-1]["blocks"]) and "Approved by Wang Qiang" in str(updated()[-1]["blocks"])

        await rep.click(await with_button(rep, "Convert to order"), "Convert to order")
        await seen(rep, "Order SO-")
        async with env.container.sessionmaker() as s:
            assert (await s.scalars(select(Quote.status))).one() == QuoteStatus.ORDERED
            assert (await s.scalars(select(ApprovalCard.shown))).one() == "APPROVED"

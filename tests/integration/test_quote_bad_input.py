"""Bad input while quoting and approving: a clear message each time, and nothing changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conversations.inbound import ActionEvent
from core.errors import InvalidInput, PermissionDenied
from core.events import EventBus
from core.models import ApprovalStep, Quote, QuoteLine, QuoteStatus, StepStatus, User, utcnow
from core.permissions import scope_for
from core.services import approvals, quotes
from core.uow import Actor, UnitOfWork
from tests.support.catalog import add_catalog
from tests.support.chat import actions_of
from tests.support.quotes import RULES, submitted_quote


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


async def count(container, model) -> int:
    async with container.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_quantities_and_discounts_that_make_no_sense(container, world, chat_as, catalog):
    rep = await chat_as("rep")
    await rep.say("/quote 恒力")
    await rep.say("X100")
    await rep.tap("Done")
    for typed, message in (
        ("0", "more than zero"), ("-3", "more than zero"), ("1.5", "counted in whole pieces"),
        ("1000000", "more than 100,000 on one line"), ("three", "is not a quantity"),
    ):
        await rep.say(typed)
        assert message in rep.text, (typed, rep.text)
        assert "Try again, or send /cancel" in rep.text
    await rep.say("2")
    for typed, message in (("120", "between 0 and 99.99"), ("-5", "between 0 and 99.99"), ("lots", "is not a discount")):
        await rep.say(typed)
        assert message in rep.text
    assert await count(container, QuoteLine) == 0
    await rep.say("95折")
    assert "CN¥24,320.00" in rep.text  # 2 × 12,800 − 5 %
    assert await count(container, QuoteLine) == 1


async def test_a_lines_lists_tapped_after_it_moved_on_change_nothing(container, world, chat_as, catalog):
    """The options and unit lists stay in the chat; scrolled back to and tapped once answered, they
    say so and leave the dialog where it is (an option tapped after the line was added used to be
    an internal error)."""
    rep = await chat_as("rep")
    await rep.say("/quote 恒力")
    await rep.say("X1000")
    old_options = {("Done" if "Done" in a.label else a.label.split()[1]): a.token or "" for a in actions_of(rep.last)}
    await rep.tap("100kW")
    await rep.tap("Done")
    assert rep.text == "X1000 high-flow centrifugal pump\nOptions: 100kW 电机 +CN¥12,000.00\nHow many (台)?"
    for label in ("不锈钢泵体", "Done"):
        await rep.send(ActionEvent(old_options[label]))
        assert rep.text.startswith("That step of the line is already answered")
        assert "➖ Remove a line" in rep.text
    await rep.say("6")  # still the quantity asked for
    assert "Discount on this line?" in rep.text
    old_discount = rep.button("5 %").token or ""
    await rep.tap("10 %")
    for token in (old_options["不锈钢泵体"], old_discount):  # after the line was added
        await rep.send(ActionEvent(token))
        assert rep.text.startswith("That step of the line is already answered")
    async with container.sessionmaker() as s:
        (line,) = (await s.scalars(select(QuoteLine))).all()
        assert line.description == "X1000 大流量离心泵 + 100kW 电机" and line.quantity == 6


async def test_submitting_an_empty_quote_is_refused(container, world, chat_as, catalog):
    rep = await chat_as("rep")
    await rep.say("/quote 恒力")
    await rep.say("/quotes")
    await rep.tap("Q-")
    await rep.tap("Continue editing")
    assert "No lines yet" in rep.text and "Submit" not in rep.text
    instance = rep.button("Add product").token.split(".")[1]
    forged = container.deps.codec.encode("qt", instance, "sub")  # a submit the card did not offer
    await rep.send(ActionEvent(forged))
    assert "no lines yet: add a product before submitting" in rep.text
    async with container.sessionmaker() as s:
        assert (await s.scalars(select(Quote.status))).one() == QuoteStatus.DRAFT
    assert await count(container, ApprovalStep) == 0


async def test_a_customer_the_rep_may_not_see(container, world, chat_as, catalog):
    rep = await chat_as("rep")
    await rep.say("/quote 宝钢")
    assert "上海宝钢精密制造有限公司" in rep.text and not [b for b in rep.last if getattr(b, "options", None)]
    forged = container.deps.codec.encode("qt", "-", f"n{world.cid('baogang')}")
    await rep.send(ActionEvent(forged))
    assert "belongs to another rep" in rep.text
    assert await count(container, Quote) == 0


async def test_an_option_of_another_product_is_refused(container, world, catalog):
    async with UnitOfWork(container.sessionmaker, EventBus()) as uow:
        user = await uow.session.get_one(User, world.uid("rep"))
        actor, scope = Actor(user, "test"), await scope_for(uow.session, user)
        quote = await quotes.create_draft(uow, actor=actor, scope=scope, customer_id=world.cid("hengli"), today=utcnow().date(), valid_days=30)
        x100_option = (await uow.session.scalars(select_options(catalog["X100"].id))).first()
        with pytest.raises(InvalidInput) as err:
            await quotes.add_line(uow, actor=actor, quote_id=quote.id, product_id=catalog["X1000"].id, quantity=Decimal(1), option_ids=[x100_option])
        assert err.value.code == "quote.error.option"
        with pytest.raises(InvalidInput) as err:
            await quotes.add_line(uow, actor=actor, quote_id=quote.id, product_id=catalog["B200"].id, quantity=Decimal(1), unit="吨")
        assert err.value.code == "quote.error.unit"
        with pytest.raises(InvalidInput) as err:
            await approvals.submit(uow, actor=actor, scope=scope, quote_id=quote.id, rules=RULES, now=utcnow(), today=utcnow().date())
        assert err.value.code == "quote.error.empty"


def select_options(product_id: int):
    from core.models import ProductOption

    return select(ProductOption.id).where(ProductOption.product_id == product_id)


async def test_deciding_what_one_may_not_decide(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    manager = await chat_as("manager")
    await manager.say("/approvals")
    approve = manager.button("Approve").token
    for login, message in (("rep2", "You may not decide this approval"), ("rep", "Nobody approves their own quote"), ("manager2", "You may not decide")):
        other = await chat_as(login)
        await other.send(ActionEvent(approve))
        assert message in other.text or "do not have permission" in other.text, (login, other.text)
    await manager.send(ActionEvent(approve[:-1] + ("A" if approve[-1] != "A" else "B")))  # tampered signature
    assert "This button has expired" in manager.text
    await manager.send(ActionEvent(container.deps.codec.encode("ap", "-", "y999")))  # no such step
    assert "does not exist" in manager.text
    async with container.sessionmaker() as s:
        assert (await s.scalars(select(ApprovalStep.status))).one() == StepStatus.PENDING
    rep = await chat_as("rep")
    with pytest.raises(PermissionDenied):
        async with UnitOfWork(container.sessionmaker, EventBus()) as uow:
            user = await uow.session.get_one(User, world.uid("rep"))
            step_id = (await uow.session.scalars(select(ApprovalStep.id))).one()
            await approvals.decide(uow, actor=Actor(user, "test"), step_id=step_id, approve=True, comment=None, now=utcnow(), today=utcnow().date())
    await rep.say("/approvals")  # the requester is never offered their own quote to decide
    assert "Approve" not in rep.text and "Q-" not in rep.text

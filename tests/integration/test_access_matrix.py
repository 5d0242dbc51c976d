"""Access rules: each role × each kind of record × read/write, through the core services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import PermissionDenied
from core.events import EventBus
from core.models import Customer, Lead, LeadSource, LeadStatus, User
from core.permissions import scope_for
from core.services.customers import readable, writable
from core.uow import Actor, UnitOfWork

CUSTOMERS = ("hengli", "baogang", "huaguang", "tianyu", "lianzhong")
# hengli: rep's · baogang: rep2's (same team as rep, under manager) · huaguang: rep3's (manager2's team)
# tianyu: public pool · lianzhong: the dealer company of the `dealer` user (owned by rep)
READ = {
    "rep": {"hengli", "tianyu", "lianzhong"},
    "rep2": {"baogang", "tianyu"},
    "manager": {"hengli", "baogang", "tianyu", "lianzhong"},
    "manager2": {"huaguang", "tianyu"},
    "director": set(CUSTOMERS),
    "admin": set(CUSTOMERS),
    "finance": set(CUSTOMERS),
    "engineer": set(CUSTOMERS),
    "dealer": {"lianzhong"},
}
WRITE = {
    "rep": {"hengli", "lianzhong"},
    "rep2": {"baogang"},
    "manager": {"hengli", "baogang", "lianzhong"},
    "manager2": {"huaguang"},
    "director": set(CUSTOMERS),
    "admin": set(CUSTOMERS),
    "finance": set(),
    "engineer": set(),
    "dealer": set(),
}


@pytest.mark.parametrize("login", sorted(READ))
async def test_customer_read_and_write_matrix(container, world, login):
    async with container.sessionmaker() as s:
        user = await s.get_one(User, world.uid(login))
        scope = await scope_for(s, user)
        for key in CUSTOMERS:
            cid = world.cid(key)
            can_read = await _allowed(readable(s, scope, cid))
            can_write = await _allowed(writable(s, scope, cid))
            assert can_read == (key in READ[login]), (login, key, "read")
            assert can_write == (key in WRITE[login]), (login, key, "write")
        listed = {c.code for c in (await s.scalars(select(Customer).where(scope.customer_filter()))).all()}
        expected = {world.customers[k].code for k in READ[login]}
        assert expected <= listed
        assert not ({world.customers[k].code for k in CUSTOMERS} - expected) & listed


async def _allowed(call) -> bool:  # type: ignore[no-untyped-def]
    try:
        await call
    except PermissionDenied:
        return False
    return True


LEAD_READERS = {"rep": True, "rep2": True, "manager": True, "manager2": False, "director": True, "admin": True,
                "finance": False, "engineer": False, "dealer": False, "rep3": False}


@pytest.mark.parametrize("login", sorted(LEAD_READERS))
async def test_lead_visibility(container, world, login):
    async with container.sessionmaker() as s:
        lead = Lead(source=LeadSource.EXHIBITION, company_name="测试", status=LeadStatus.ASSIGNED,
                    assignee_id=world.uid("rep2"), created_by_id=world.uid("rep"))
        s.add(lead)
        await s.commit()
        scope = await scope_for(s, await s.get_one(User, world.uid(login)))
        assert scope.can_read_lead(lead) is LEAD_READERS[login]
        found = (await s.scalars(select(Lead).where(scope.lead_filter()))).all()
        assert (lead.id in {x.id for x in found}) is LEAD_READERS[login]


async def test_every_change_is_audited_with_platform(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/c 北京博远")
    await rep.tap("Claim")
    from core.models import AuditEntry

    async with container.sessionmaker() as s:
        entry = (await s.scalars(select(AuditEntry).where(AuditEntry.action == "pool.claim"))).one()
        assert (entry.user_id, entry.platform, entry.entity_id) == (world.uid("rep"), "test", world.cid("boyuan"))


async def test_binding_codes_are_for_admins(container, world):
    from core.services.identities import create_binding_code

    async with UnitOfWork(container.sessionmaker, EventBus()) as uow:
        rep = await uow.session.get_one(User, world.uid("rep"))
        with pytest.raises(PermissionDenied):
            await create_binding_code(uow, actor=Actor(rep, "test"), login="rep2")

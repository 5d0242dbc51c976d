"""search: change log filled by triggers (customers, contacts, products), contacts.search_text,
search_text recomputed in the tagged format (names, #codes, +phones, @e-mails)

Revision ID: 0003_search
Revises: 0001_initial
Create Date: 2026-11-24 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_search'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = (("customers", "customer"), ("contacts", "contact"), ("products", "product"))


def upgrade() -> None:
    op.create_table(
        'search_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_changes')),
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    _recompute(op.get_bind())
    if op.get_bind().dialect.name == 'postgresql':
        _pg_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for table, kind in WATCHED:
        for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER trg_{table}_search_{when.lower()} AFTER {when} ON {table} "
                f"BEGIN INSERT INTO search_changes (kind, entity_id) VALUES ('{kind}', {row}.id); END"
            )


def _pg_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION search_change_log() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO search_changes (kind, entity_id) VALUES (TG_ARGV[0], OLD.id);
                RETURN OLD;
            END IF;
            INSERT INTO search_changes (kind, entity_id) VALUES (TG_ARGV[0], NEW.id);
            RETURN NEW;
        END $$
        """
    )
    for table, kind in WATCHED:
        op.execute(
            f"CREATE TRIGGER trg_{table}_search AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_change_log('{kind}')"
        )


def _recompute(bind: sa.engine.Connection) -> None:
    """Existing rows get the tagged forms the index reads (pinyin computed once, here)."""
    from core.search.normalize import search_text

    phones: dict[int, list[str | None]] = {}
    contacts = bind.execute(sa.text("SELECT id, customer_id, name, phone, mobile, email FROM contacts")).all()
    for cid, customer_id, name, phone, mobile, email in contacts:
        phones.setdefault(customer_id, []).extend((phone, mobile))
        text = search_text([name], phones=[phone, mobile], emails=[email], person=True)
        bind.execute(sa.text("UPDATE contacts SET search_text = :t WHERE id = :i"), {"t": text, "i": cid})
    customers = bind.execute(sa.text("SELECT id, name, name_en, aliases, code, phone FROM customers")).all()
    for cid, name, name_en, aliases, code, phone in customers:
        names = [name, name_en, *(_aliases(aliases))]
        text = search_text(names, codes=[code], phones=[phone, *phones.get(cid, [])])
        bind.execute(sa.text("UPDATE customers SET search_text = :t WHERE id = :i"), {"t": text, "i": cid})
    for pid, zh, en, sku in bind.execute(sa.text("SELECT id, name_zh, name_en, sku FROM products")).all():
        text = search_text([zh, en], codes=[sku])
        bind.execute(sa.text("UPDATE products SET search_text = :t WHERE id = :i"), {"t": text, "i": pid})


def _aliases(value: object) -> list[str]:
    import json

    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [str(a) for a in value or []] if isinstance(value, list) else []


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, _ in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_search ON {table}")
        op.execute("DROP FUNCTION IF EXISTS search_change_log()")
    else:
        for table, _ in WATCHED:
            for when in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_search_{when}")
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    op.drop_table('search_changes')

"""dealers: assortments, stock reports and lines, safety stock, targets, rebate policies and tiers,
order refunds, rebate claims; approval steps may approve a claim instead of a quote

Revision ID: 0007_dealers
Revises: 0004_quotes (orders and approval steps are needed here)
Create Date: 2026-11-24 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = '0007_dealers'
down_revision: str | None = '0004_quotes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = core.models.base.UTCDateTime
OPEN_CLAIMS = "status IN ('PENDING', 'APPROVED')"
KEPT = ('approval_cards', 'quote_comments')
"""Rows that reference approval steps: SQLite's table rebuild would cascade-delete them, so they are set aside."""


def _id() -> sa.Column:
    return sa.Column('id', sa.Integer(), nullable=False)


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))


def _dealer_tables() -> None:
    op.create_table('dealer_products', _id(),
        sa.Column('dealer_id', sa.Integer(), nullable=False), sa.Column('product_id', sa.Integer(), nullable=False),
        _fk('dealer_products', 'dealer_id', 'customers', 'CASCADE'), _fk('dealer_products', 'product_id', 'products', 'CASCADE'),
        _pk('dealer_products'), sa.UniqueConstraint('dealer_id', 'product_id', name=op.f('uq_dealer_products_dealer_id')))
    op.create_table('stock_reports', _id(),
        sa.Column('dealer_id', sa.Integer(), nullable=False), sa.Column('reported_by_id', sa.Integer(), nullable=False),
        sa.Column('reported_at', UTC(), nullable=False), sa.Column('report_date', sa.Date(), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False), sa.Column('draft_key', sa.String(length=40), nullable=False),
        sa.Column('source_text', sa.Text(), nullable=False),
        _fk('stock_reports', 'dealer_id', 'customers'), _fk('stock_reports', 'reported_by_id', 'users'), _pk('stock_reports'),
        sa.UniqueConstraint('dealer_id', 'draft_key', name=op.f('uq_stock_reports_dealer_id')))
    op.create_index('ix_stock_reports_dealer_reported', 'stock_reports', ['dealer_id', 'reported_at'])
    op.create_table('stock_lines', _id(),
        sa.Column('report_id', sa.Integer(), nullable=False), sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False), sa.Column('entered', sa.String(length=120), nullable=False),
        _fk('stock_lines', 'report_id', 'stock_reports', 'CASCADE'), _fk('stock_lines', 'product_id', 'products'), _pk('stock_lines'),
        sa.UniqueConstraint('report_id', 'product_id', name=op.f('uq_stock_lines_report_id')))
    op.create_index('ix_stock_lines_product_id', 'stock_lines', ['product_id'])
    op.create_table('safety_stocks', _id(),
        sa.Column('dealer_id', sa.Integer(), nullable=False), sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('min_qty', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('reorder_to', sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column('set_by_id', sa.Integer(), nullable=True), sa.Column('updated_at', UTC(), nullable=False),
        _fk('safety_stocks', 'dealer_id', 'customers', 'CASCADE'), _fk('safety_stocks', 'product_id', 'products', 'CASCADE'),
        _fk('safety_stocks', 'set_by_id', 'users'), _pk('safety_stocks'),
        sa.UniqueConstraint('dealer_id', 'product_id', name=op.f('uq_safety_stocks_dealer_id')))
    op.create_table('dealer_targets', _id(),
        sa.Column('dealer_id', sa.Integer(), nullable=False), sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False), sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False), sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', UTC(), nullable=False),
        _fk('dealer_targets', 'dealer_id', 'customers', 'CASCADE'), _fk('dealer_targets', 'set_by_id', 'users'), _pk('dealer_targets'),
        sa.UniqueConstraint('dealer_id', 'year', 'quarter', name=op.f('uq_dealer_targets_dealer_id')))


def _rebate_tables() -> None:
    op.create_table('rebate_policies', _id(),
        sa.Column('name', sa.String(length=100), nullable=False), sa.Column('period', sa.String(length=20), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True), sa.Column('dealer_id', sa.Integer(), nullable=True),
        sa.Column('inclusive', sa.Boolean(), nullable=False), sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False), sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        _fk('rebate_policies', 'category_id', 'product_categories'), _fk('rebate_policies', 'dealer_id', 'customers', 'CASCADE'),
        _pk('rebate_policies'))
    op.create_table('rebate_tiers', _id(),
        sa.Column('policy_id', sa.Integer(), nullable=False), sa.Column('threshold', sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column('rate_pct', sa.Numeric(precision=5, scale=2), nullable=False),
        _fk('rebate_tiers', 'policy_id', 'rebate_policies', 'CASCADE'), _pk('rebate_tiers'),
        sa.UniqueConstraint('policy_id', 'threshold', name=op.f('uq_rebate_tiers_policy_id')))
    op.create_table('order_refunds', _id(),
        sa.Column('order_id', sa.Integer(), nullable=False), sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False), sa.Column('refunded_at', UTC(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=True),
        _fk('order_refunds', 'order_id', 'orders'), _fk('order_refunds', 'product_id', 'products'), _pk('order_refunds'))
    op.create_index('ix_order_refunds_order_id', 'order_refunds', ['order_id'])
    op.create_table('rebate_claims', _id(),
        sa.Column('number', sa.String(length=30), nullable=False), sa.Column('dealer_id', sa.Integer(), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=False), sa.Column('period_key', sa.String(length=10), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False), sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('sales', sa.Numeric(precision=16, scale=2), nullable=False), sa.Column('rate_pct', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False), sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False), sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True), sa.Column('submitted_at', UTC(), nullable=False),
        sa.Column('decided_at', UTC(), nullable=True), sa.Column('version', sa.Integer(), nullable=False),
        _fk('rebate_claims', 'dealer_id', 'customers'), _fk('rebate_claims', 'policy_id', 'rebate_policies'),
        _fk('rebate_claims', 'requested_by_id', 'users'), _pk('rebate_claims'),
        sa.UniqueConstraint('number', name=op.f('uq_rebate_claims_number')))
    op.create_index('ix_rebate_claims_dealer_id', 'rebate_claims', ['dealer_id'])
    op.create_index('uq_rebate_claims_open', 'rebate_claims', ['dealer_id', 'policy_id', 'period_key'], unique=True,
                    sqlite_where=sa.text(OPEN_CLAIMS), postgresql_where=sa.text(OPEN_CLAIMS))


def _claim_steps() -> None:
    """approval_steps.quote_id becomes optional and claim_id appears, exactly one of them set."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for table in KEPT:
            op.execute(f'CREATE TEMP TABLE kept_{table} AS SELECT * FROM {table}')
    with op.batch_alter_table('approval_steps', recreate='always' if sqlite else 'auto') as batch:
        batch.alter_column('quote_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('claim_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_approval_steps_claim_id_rebate_claims'), 'rebate_claims', ['claim_id'], ['id'], ondelete='CASCADE')
        batch.create_unique_constraint(op.f('uq_approval_steps_claim_id'), ['claim_id', 'position'])
        batch.create_check_constraint(op.f('ck_approval_steps_one_subject'), '(quote_id IS NULL) <> (claim_id IS NULL)')
    if sqlite:
        for table in KEPT:
            op.execute(f'INSERT OR IGNORE INTO {table} SELECT * FROM kept_{table}')
            op.execute(f'DROP TABLE kept_{table}')


def upgrade() -> None:
    _dealer_tables()
    _rebate_tables()
    _claim_steps()


def downgrade() -> None:
    op.execute('DELETE FROM approval_steps WHERE claim_id IS NOT NULL')
    with op.batch_alter_table('approval_steps') as batch:
        batch.drop_constraint(op.f('ck_approval_steps_one_subject'), type_='check')
        batch.drop_constraint(op.f('uq_approval_steps_claim_id'), type_='unique')
        batch.drop_constraint(op.f('fk_approval_steps_claim_id_rebate_claims'), type_='foreignkey')
        batch.drop_column('claim_id')
        batch.alter_column('quote_id', existing_type=sa.Integer(), nullable=False)
    for table in (
        'rebate_claims', 'order_refunds', 'rebate_tiers', 'rebate_policies', 'dealer_targets', 'safety_stocks',
        'stock_lines', 'stock_reports', 'dealer_products',
    ):
        op.drop_table(table)

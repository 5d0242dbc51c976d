"""quotes and approvals: opportunities, price lists, quotes, lines, orders, approval rules and steps,
absences, comments, card copies; products.standard_cost

Revision ID: 0004_quotes
Revises: 0001_initial
Create Date: 2026-11-24 09:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = '0004_quotes'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = core.models.base.UTCDateTime


def _money(name: str, nullable: bool = False, precision: int = 16) -> sa.Column:
    return sa.Column(name, sa.Numeric(precision=precision, scale=2), nullable=nullable)


def _enum(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=20), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard_cost', sa.Numeric(precision=14, scale=2), nullable=True))

    op.create_table('opportunities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    _enum('stage'),
    _money('amount', precision=14),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=False),
    sa.Column('closed_at', UTC(), nullable=True),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_opportunities_customer_id_customers')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_opportunities_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunities'))
    )
    op.create_index('ix_opportunities_customer_id', 'opportunities', ['customer_id'])
    op.create_index('ix_opportunities_owner_stage', 'opportunities', ['owner_id', 'stage'])

    op.create_table('price_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    _enum('customer_type', nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_lists'))
    )
    op.create_table('price_list_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    _money('price', precision=14),
    sa.ForeignKeyConstraint(['price_list_id'], ['price_lists.id'], name=op.f('fk_price_list_entries_price_list_id_price_lists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_price_list_entries_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_list_entries')),
    sa.UniqueConstraint('price_list_id', 'product_id', name=op.f('uq_price_list_entries_price_list_id'))
    )

    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    _enum('status'),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=True),
    sa.Column('discount_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    _money('list_total'),
    _money('subtotal'),
    _money('total'),
    sa.Column('max_discount_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    _money('cost_total', nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('submitted_at', UTC(), nullable=True),
    sa.Column('decided_at', UTC(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_quotes_customer_id_customers')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_quotes_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_quotes_owner_id_users')),
    sa.ForeignKeyConstraint(['price_list_id'], ['price_lists.id'], name=op.f('fk_quotes_price_list_id_price_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('number', name=op.f('uq_quotes_number'))
    )
    op.create_index('ix_quotes_customer_id', 'quotes', ['customer_id'])
    op.create_index('ix_quotes_owner_status', 'quotes', ['owner_id', 'status'])

    op.create_table('quote_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('unit_factor', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    _money('unit_price', precision=14),
    _money('unit_cost', nullable=True, precision=14),
    sa.Column('discount_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    _money('list_amount'),
    _money('amount'),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_lines_quote_id_quotes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_quote_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_lines'))
    )
    op.create_index('ix_quote_lines_quote_id', 'quote_lines', ['quote_id'])

    op.create_table('quote_line_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    _money('price_delta', precision=14),
    sa.ForeignKeyConstraint(['line_id'], ['quote_lines.id'], name=op.f('fk_quote_line_options_line_id_quote_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['product_options.id'], name=op.f('fk_quote_line_options_option_id_product_options')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_line_options')),
    sa.UniqueConstraint('line_id', 'option_id', name=op.f('uq_quote_line_options_line_id'))
    )
    op.create_index('ix_quote_line_options_line_id', 'quote_line_options', ['line_id'])

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    _money('total'),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_orders_quote_id_quotes')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_orders_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_orders_number')),
    sa.UniqueConstraint('quote_id', name=op.f('uq_orders_quote_id'))
    )
    op.create_index('ix_orders_customer_id', 'orders', ['customer_id'])

    op.create_table('approval_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    _enum('approver'),
    _money('amount_above', nullable=True),
    sa.Column('discount_above', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_approval_rules_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_rules')),
    sa.UniqueConstraint('level', name=op.f('uq_approval_rules_level'))
    )

    op.create_table('approval_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=False),
    _enum('approver_kind'),
    sa.Column('triggers', sa.JSON(), nullable=False),
    _enum('status'),
    sa.Column('activated_at', UTC(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', UTC(), nullable=True),
    sa.Column('decided_platform', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('reminded_at', UTC(), nullable=True),
    sa.Column('escalated_at', UTC(), nullable=True),
    sa.Column('escalated_to_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_approval_steps_quote_id_quotes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_approval_steps_approver_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_approval_steps_decided_by_id_users')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['users.id'], name=op.f('fk_approval_steps_on_behalf_of_id_users')),
    sa.ForeignKeyConstraint(['escalated_to_id'], ['users.id'], name=op.f('fk_approval_steps_escalated_to_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_steps')),
    sa.UniqueConstraint('quote_id', 'position', name=op.f('uq_approval_steps_quote_id'))
    )
    op.create_index('ix_approval_steps_approver_status', 'approval_steps', ['approver_id', 'status'])

    op.create_table('approver_absences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('delegate_id', sa.Integer(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('since', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_approver_absences_user_id_users')),
    sa.ForeignKeyConstraint(['delegate_id'], ['users.id'], name=op.f('fk_approver_absences_delegate_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_approver_absences'))
    )

    op.create_table('quote_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_comments_quote_id_quotes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['approval_steps.id'], name=op.f('fk_quote_comments_step_id_approval_steps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_quote_comments_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_comments'))
    )
    op.create_index('ix_quote_comments_quote_id', 'quote_comments', ['quote_id'])

    op.create_table('approval_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('chat_id', sa.String(length=200), nullable=False),
    sa.Column('message_id', sa.String(length=100), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('shown', sa.String(length=20), nullable=False),
    sa.Column('sent_at', UTC(), nullable=False),
    sa.Column('edited_at', UTC(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['step_id'], ['approval_steps.id'], name=op.f('fk_approval_cards_step_id_approval_steps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_approval_cards_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_cards')),
    sa.UniqueConstraint('platform', 'chat_id', 'message_id', name=op.f('uq_approval_cards_platform')),
    sa.UniqueConstraint('source_id', name=op.f('uq_approval_cards_source_id'))
    )
    op.create_index('ix_approval_cards_step', 'approval_cards', ['step_id'])


def downgrade() -> None:
    for table in (
        'approval_cards', 'quote_comments', 'approver_absences', 'approval_steps', 'approval_rules', 'orders',
        'quote_line_options', 'quote_lines', 'quotes', 'price_list_entries', 'price_lists', 'opportunities',
    ):
        op.drop_table(table)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('standard_cost')

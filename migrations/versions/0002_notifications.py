"""notifications: outbox, preferences; customers.released_from_id and the next-contact index

Revision ID: 0002_notifications
Revises: 0001_initial
Create Date: 2026-11-24 08:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = '0002_notifications'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ('QUEUED', 'SENDING', 'SENT', 'DIGESTED', 'FAILED', 'UNDELIVERABLE', 'MUTED', 'OBSOLETE')


def upgrade() -> None:
    op.create_table('notification_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('routine', sa.Boolean(), nullable=False),
    sa.Column('due_at', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('send_after', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('replies', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum(*STATUSES, name='outboxstatus', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('lease_until', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('platform', sa.String(length=20), nullable=True),
    sa.Column('chat_id', sa.String(length=200), nullable=True),
    sa.Column('message_ids', sa.String(length=300), nullable=True),
    sa.Column('sent_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['notification_outbox.id'], name=op.f('fk_notification_outbox_parent_id_notification_outbox')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_outbox_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_outbox_dedupe_key'))
    )
    op.create_index('ix_notification_outbox_claim', 'notification_outbox', ['status', 'send_after'], unique=False)
    op.create_index('ix_notification_outbox_user_status', 'notification_outbox', ['user_id', 'status'], unique=False)
    op.create_index('ix_notification_outbox_ref', 'notification_outbox', ['kind', 'ref_id'], unique=False)

    op.create_table('notification_prefs',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=True),
    sa.Column('quiet_end', sa.Time(), nullable=True),
    sa.Column('digest_at', sa.Time(), nullable=True),
    sa.Column('muted', sa.JSON(), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_prefs_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_prefs'))
    )

    # A plain ADD COLUMN (no batch copy): recreating `customers` on SQLite would cascade to contacts.
    op.add_column('customers', sa.Column('released_from_id', sa.Integer(), nullable=True))
    op.create_index('ix_customers_next_contact', 'customers', ['next_contact_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_customers_next_contact', table_name='customers')
    op.execute('ALTER TABLE customers DROP COLUMN released_from_id')  # SQLite ≥ 3.35 and PostgreSQL
    op.drop_table('notification_prefs')
    op.drop_index('ix_notification_outbox_ref', table_name='notification_outbox')
    op.drop_index('ix_notification_outbox_user_status', table_name='notification_outbox')
    op.drop_index('ix_notification_outbox_claim', table_name='notification_outbox')
    op.drop_table('notification_outbox')

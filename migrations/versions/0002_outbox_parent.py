"""notification outbox: index the digest link (parent_id)

Without it, deleting outbox rows (the retention purge) checks the self-referencing foreign
key by scanning the whole table once per deleted row, on SQLite and PostgreSQL alike.

Revision ID: 0002_outbox_parent
Revises: 0002_notifications
Create Date: 2026-11-24 09:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0002_outbox_parent'
down_revision: str | None = '0002_notifications'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_notification_outbox_parent_id', 'notification_outbox', ['parent_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notification_outbox_parent_id', table_name='notification_outbox')

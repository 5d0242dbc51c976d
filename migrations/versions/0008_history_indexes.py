"""indexes for the hot reads: a customer's leads and tasks and last visits (the customer 360), a rep's
last position (every check-in)

Revision ID: 0008_history_indexes
Revises: 0001_initial
Create Date: 2026-11-24 14:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0008_history_indexes'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_leads_customer_id'), 'leads', ['customer_id'], unique=False)
    op.create_index(op.f('ix_tasks_customer_id'), 'tasks', ['customer_id'], unique=False)
    op.create_index('ix_visits_customer_latest', 'visits', ['customer_id', 'checked_in_at'], unique=False)
    op.create_index('ix_visits_user_latest', 'visits', ['user_id', 'position_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_visits_user_latest', table_name='visits')
    op.drop_index('ix_visits_customer_latest', table_name='visits')
    op.drop_index(op.f('ix_tasks_customer_id'), table_name='tasks')
    op.drop_index(op.f('ix_leads_customer_id'), table_name='leads')

"""platform tokens, shared send budget stamps, and the datum of a visit's position

Revision ID: 0006_platform_tokens
Revises: 0001_initial
Create Date: 2026-11-24 09:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = '0006_platform_tokens'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('platform_tokens',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires_at', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_platform_tokens'))
    )
    op.create_table('send_stamps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_send_stamps'))
    )
    with op.batch_alter_table('send_stamps', schema=None) as batch_op:
        batch_op.create_index('ix_send_stamps_key_at', ['key', 'at'], unique=False)
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('datum', sa.String(length=10), server_default='wgs84', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('datum')
    with op.batch_alter_table('send_stamps', schema=None) as batch_op:
        batch_op.drop_index('ix_send_stamps_key_at')
    op.drop_table('send_stamps')
    op.drop_table('platform_tokens')

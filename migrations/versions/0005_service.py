"""service: equipment, engineers, tickets, spare parts, ratings, telemetry, API keys

Revision ID: 0005_service
Revises: 0001_initial
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import core.models.base


revision: str = '0005_service'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=100), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', core.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('spare_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=60), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('product_line', sa.String(length=40), nullable=True),
    sa.Column('search_text', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spare_parts')),
    sa.UniqueConstraint('sku', name=op.f('uq_spare_parts_sku'))
    )
    op.create_table('engineer_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('base_lat', sa.Float(), nullable=False),
    sa.Column('base_lon', sa.Float(), nullable=False),
    sa.Column('last_lat', sa.Float(), nullable=True),
    sa.Column('last_lon', sa.Float(), nullable=True),
    sa.Column('last_seen_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('work_start', sa.String(length=5), nullable=False),
    sa.Column('work_end', sa.String(length=5), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_engineer_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_engineer_profiles'))
    )
    op.create_table('warehouses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('CENTRAL', 'VAN', name='warehousekind', native_enum=False, length=10), nullable=False),
    sa.Column('engineer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['engineer_id'], ['users.id'], name=op.f('fk_warehouses_engineer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code')),
    sa.UniqueConstraint('engineer_id', name=op.f('uq_warehouses_engineer_id'))
    )
    op.create_table('equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('serial', sa.String(length=80), nullable=False),
    sa.Column('product_line', sa.String(length=40), nullable=False),
    sa.Column('install_date', sa.Date(), nullable=True),
    sa.Column('warranty_end', sa.Date(), nullable=True),
    sa.Column('service_interval_days', sa.Integer(), nullable=True),
    sa.Column('service_interval_hours', sa.Integer(), nullable=True),
    sa.Column('running_hours', sa.Float(), nullable=True),
    sa.Column('hours_at_last_service', sa.Float(), nullable=True),
    sa.Column('last_service_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_equipment_customer_id_customers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_equipment_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment')),
    sa.UniqueConstraint('serial', name=op.f('uq_equipment_serial'))
    )
    op.create_index(op.f('ix_equipment_customer_id'), 'equipment', ['customer_id'], unique=False)
    op.create_table('part_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('safety', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_part_stock_quantity_not_negative')),
    sa.CheckConstraint('reserved >= 0 AND reserved <= quantity', name=op.f('ck_part_stock_reserved_in_range')),
    sa.ForeignKeyConstraint(['part_id'], ['spare_parts.id'], name=op.f('fk_part_stock_part_id_spare_parts')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_part_stock_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_stock')),
    sa.UniqueConstraint('warehouse_id', 'part_id', name=op.f('uq_part_stock_warehouse_id'))
    )
    op.create_index(op.f('ix_part_stock_part_id'), 'part_stock', ['part_id'], unique=False)
    op.create_table('telemetry_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('ts', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_telemetry_readings_equipment_id_equipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telemetry_readings')),
    sa.UniqueConstraint('equipment_id', 'metric', 'ts', name=op.f('uq_telemetry_readings_equipment_id'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.Enum('INSTALLATION', 'REPAIR', 'MAINTENANCE', 'INSPECTION', name='tickettype', native_enum=False, length=20), nullable=False),
    sa.Column('priority', sa.Enum('URGENT', 'HIGH', 'NORMAL', 'LOW', name='priority', native_enum=False, length=10), nullable=False),
    sa.Column('status', sa.Enum('NEW', 'ASSIGNED', 'ACCEPTED', 'ON_SITE', 'WAITING_PARTS', 'RESOLVED', 'CLOSED', 'CANCELLED', name='ticketstatus', native_enum=False, length=20), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('skill', sa.String(length=40), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('open_key', sa.String(length=80), nullable=True),
    sa.Column('dispatch_note', sa.String(length=300), nullable=True),
    sa.Column('created_at', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('respond_by', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('resolve_by', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('assigned_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('arrived_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', core.models.base.UTCDateTime(), nullable=True),
    sa.Column('arrival_distance_m', sa.Float(), nullable=True),
    sa.Column('arrival_inside', sa.Boolean(), nullable=True),
    sa.Column('arrival_flags', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tickets_assignee_id_users')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_tickets_contact_id_contacts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tickets_created_by_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tickets_customer_id_customers')),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_tickets_equipment_id_equipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number')),
    sa.UniqueConstraint('open_key', name=op.f('uq_tickets_open_key'))
    )
    op.create_index('ix_tickets_assignee_status', 'tickets', ['assignee_id', 'status'], unique=False)
    op.create_index(op.f('ix_tickets_customer_id'), 'tickets', ['customer_id'], unique=False)
    op.create_index(op.f('ix_tickets_equipment_id'), 'tickets', ['equipment_id'], unique=False)
    op.create_index(op.f('ix_tickets_status'), 'tickets', ['status'], unique=False)
    op.create_table('purchase_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'ORDERED', 'RECEIVED', name='purchasestatus', native_enum=False, length=10), nullable=False),
    sa.Column('open_key', sa.String(length=80), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['part_id'], ['spare_parts.id'], name=op.f('fk_purchase_requests_part_id_spare_parts')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_purchase_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_purchase_requests_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_requests')),
    sa.UniqueConstraint('open_key', name=op.f('uq_purchase_requests_open_key'))
    )
    op.create_index(op.f('ix_purchase_requests_part_id'), 'purchase_requests', ['part_id'], unique=False)
    op.create_table('service_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('engineer_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('attitude', sa.Integer(), nullable=False),
    sa.Column('response', sa.Integer(), nullable=False),
    sa.Column('quality', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('at', core.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_service_ratings_customer_id_customers')),
    sa.ForeignKeyConstraint(['engineer_id'], ['users.id'], name=op.f('fk_service_ratings_engineer_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_service_ratings_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_ratings')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_service_ratings_ticket_id'))
    )
    op.create_index(op.f('ix_service_ratings_customer_id'), 'service_ratings', ['customer_id'], unique=False)
    op.create_index(op.f('ix_service_ratings_engineer_id'), 'service_ratings', ['engineer_id'], unique=False)
    op.create_table('ticket_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('photo_ref', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_notes_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_notes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_notes'))
    )
    op.create_index(op.f('ix_ticket_notes_ticket_id'), 'ticket_notes', ['ticket_id'], unique=False)
    op.create_table('ticket_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', core.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['part_id'], ['spare_parts.id'], name=op.f('fk_ticket_parts_part_id_spare_parts')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_parts_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_parts_user_id_users')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_ticket_parts_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_parts'))
    )
    op.create_index(op.f('ix_ticket_parts_ticket_id'), 'ticket_parts', ['ticket_id'], unique=False)
    op.create_table('ticket_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('at', core.models.base.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_transitions_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_transitions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_transitions'))
    )
    op.create_index(op.f('ix_ticket_transitions_ticket_id'), 'ticket_transitions', ['ticket_id'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_table('ticket_transitions')
    op.drop_table('ticket_parts')
    op.drop_table('ticket_notes')
    op.drop_table('service_ratings')
    op.drop_table('purchase_requests')
    op.drop_table('tickets')
    op.drop_table('telemetry_readings')
    op.drop_table('part_stock')
    op.drop_table('equipment')
    op.drop_table('warehouses')
    op.drop_table('engineer_profiles')
    op.drop_table('spare_parts')
    op.drop_table('api_keys')

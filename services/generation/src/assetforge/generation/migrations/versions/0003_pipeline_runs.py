"""pipeline runs: provider tasks, request hash, asset id, cancel flag, lease, list and sweep indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = 'generation_jobs'
_SCHEMA = 'generation'


def upgrade() -> None:
    op.create_table(
        'provider_tasks',
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('task_id', sa.String(length=255), nullable=False),
        sa.Column('job_id', sa.UUID(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('provider', 'task_id', name=op.f('pk_provider_tasks')),
        schema=_SCHEMA,
    )
    op.create_index('ix_provider_tasks_created', 'provider_tasks', ['provider', 'created_at'], schema=_SCHEMA)
    op.add_column(_TABLE, sa.Column('request_hash', sa.String(length=64), nullable=True), schema=_SCHEMA)
    op.add_column(_TABLE, sa.Column('asset_id', sa.String(length=64), nullable=True), schema=_SCHEMA)
    op.add_column(
        _TABLE,
        sa.Column('cancel_requested', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        schema=_SCHEMA,
    )
    op.add_column(_TABLE, sa.Column('lease_owner', sa.String(length=128), nullable=True), schema=_SCHEMA)
    op.add_column(_TABLE, sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True), schema=_SCHEMA)
    op.drop_index('ix_generation_jobs_owner_created', table_name=_TABLE, schema=_SCHEMA)
    op.create_index(
        'ix_generation_jobs_owner_created',
        _TABLE,
        ['owner_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')],
        schema=_SCHEMA,
    )
    op.create_index(
        'ix_generation_jobs_owner_status_created',
        _TABLE,
        ['owner_id', 'status', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')],
        schema=_SCHEMA,
    )
    op.create_index(
        'ix_generation_jobs_finished',
        _TABLE,
        ['completed_at'],
        schema=_SCHEMA,
        postgresql_where=sa.text("status IN ('completed', 'failed', 'cancelled')"),
    )


def downgrade() -> None:
    op.drop_index('ix_provider_tasks_created', table_name='provider_tasks', schema=_SCHEMA)
    op.drop_table('provider_tasks', schema=_SCHEMA)
    op.drop_index('ix_generation_jobs_finished', table_name=_TABLE, schema=_SCHEMA)
    op.drop_index('ix_generation_jobs_owner_status_created', table_name=_TABLE, schema=_SCHEMA)
    op.drop_index('ix_generation_jobs_owner_created', table_name=_TABLE, schema=_SCHEMA)
    op.create_index(
        'ix_generation_jobs_owner_created', _TABLE, ['owner_id', sa.literal_column('created_at DESC')], schema=_SCHEMA
    )
    for column in ('lease_until', 'lease_owner', 'cancel_requested', 'asset_id', 'request_hash'):
        op.drop_column(_TABLE, column, schema=_SCHEMA)

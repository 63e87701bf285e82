"""projects and the relationships between entities

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('projects',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('owner_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('settings', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    schema='assets'
    )
    op.create_index('ix_projects_owner_created', 'projects', ['owner_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False, schema='assets')
    op.create_index('ix_projects_owner_active', 'projects', ['owner_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False, schema='assets', postgresql_where=sa.text('archived_at IS NULL'))
    op.create_table('relationships',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('owner_id', sa.String(length=128), nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=128), nullable=False),
    sa.Column('relationship_type', sa.String(length=32), nullable=False),
    sa.Column('strength', sa.Float(), server_default=sa.text('0.5'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('strength >= 0 AND strength <= 1', name=op.f('ck_relationships_strength_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationships')),
    sa.UniqueConstraint('owner_id', 'source_type', 'source_id', 'target_type', 'target_id', 'relationship_type', name='uq_relationships_link'),
    schema='assets'
    )
    op.create_index('ix_relationships_owner_created', 'relationships', ['owner_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False, schema='assets')
    op.create_index('ix_relationships_source', 'relationships', ['source_id', 'source_type'], unique=False, schema='assets')
    op.create_index('ix_relationships_target', 'relationships', ['target_id', 'target_type'], unique=False, schema='assets')


def downgrade() -> None:
    op.drop_index('ix_relationships_target', table_name='relationships', schema='assets')
    op.drop_index('ix_relationships_source', table_name='relationships', schema='assets')
    op.drop_index('ix_relationships_owner_created', table_name='relationships', schema='assets')
    op.drop_table('relationships', schema='assets')
    op.drop_index('ix_projects_owner_active', table_name='projects', schema='assets', postgresql_where=sa.text('archived_at IS NULL'))
    op.drop_index('ix_projects_owner_created', table_name='projects', schema='assets')
    op.drop_table('projects', schema='assets')

"""file records: bucket, CDN state, metadata, temporary images; indexes for the listings

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 15:08:42.081129
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_FILE = "deleted_at IS NULL AND expires_at IS NULL"


def upgrade() -> None:
    op.add_column('media_storage', sa.Column('bucket', sa.String(length=32), server_default='media', nullable=False), schema='media')
    op.add_column('media_storage', sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False), schema='media')
    op.add_column('media_storage', sa.Column('cdn_state', sa.String(length=16), server_default='none', nullable=False), schema='media')
    op.add_column('media_storage', sa.Column('cdn_url', sa.Text(), nullable=True), schema='media')
    op.add_column('media_storage', sa.Column('cdn_attempts', sa.Integer(), server_default=sa.text('0'), nullable=False), schema='media')
    op.add_column('media_storage', sa.Column('cdn_error', sa.Text(), nullable=True), schema='media')
    op.add_column('media_storage', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True), schema='media')
    op.add_column('media_storage', sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False), schema='media')
    op.create_check_constraint(
        op.f('ck_media_storage_cdn_state'), 'media_storage', "cdn_state IN ('none', 'pending', 'mirrored', 'failed')", schema='media'
    )
    op.drop_index('ix_media_storage_entity', table_name='media_storage', schema='media')
    op.create_index('ix_media_storage_entity', 'media_storage', ['entity_type', 'entity_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False, schema='media', postgresql_where=sa.text(LIVE_FILE))
    op.drop_index('ix_media_storage_owner_created', table_name='media_storage', schema='media')
    op.create_index('ix_media_storage_owner_created', 'media_storage', ['owner_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False, schema='media', postgresql_where=sa.text(LIVE_FILE))
    op.create_index('ix_media_storage_created', 'media_storage', [sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False, schema='media', postgresql_where=sa.text(LIVE_FILE))
    op.create_index('ix_media_storage_expires', 'media_storage', ['expires_at'], unique=False, schema='media', postgresql_where=sa.text('expires_at IS NOT NULL'))
    op.create_index('ix_media_storage_object', 'media_storage', ['bucket', 'object_name'], unique=False, schema='media', postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('uq_media_storage_generated_name', 'media_storage', ['object_name'], unique=True, schema='media', postgresql_where=sa.text("bucket = 'gdd-assets' AND deleted_at IS NULL"))


def downgrade() -> None:
    op.drop_index('uq_media_storage_generated_name', table_name='media_storage', schema='media')
    op.drop_index('ix_media_storage_object', table_name='media_storage', schema='media')
    op.drop_index('ix_media_storage_expires', table_name='media_storage', schema='media')
    op.drop_index('ix_media_storage_created', table_name='media_storage', schema='media')
    op.drop_index('ix_media_storage_owner_created', table_name='media_storage', schema='media')
    op.create_index('ix_media_storage_owner_created', 'media_storage', ['owner_id', sa.literal_column('created_at DESC')], unique=False, schema='media')
    op.drop_index('ix_media_storage_entity', table_name='media_storage', schema='media')
    op.create_index('ix_media_storage_entity', 'media_storage', ['entity_type', 'entity_id'], unique=False, schema='media')
    op.drop_constraint(op.f('ck_media_storage_cdn_state'), 'media_storage', type_='check', schema='media')
    op.drop_column('media_storage', 'updated_at', schema='media')
    op.drop_column('media_storage', 'expires_at', schema='media')
    op.drop_column('media_storage', 'cdn_error', schema='media')
    op.drop_column('media_storage', 'cdn_attempts', schema='media')
    op.drop_column('media_storage', 'cdn_url', schema='media')
    op.drop_column('media_storage', 'cdn_state', schema='media')
    op.drop_column('media_storage', 'metadata', schema='media')
    op.drop_column('media_storage', 'bucket', schema='media')

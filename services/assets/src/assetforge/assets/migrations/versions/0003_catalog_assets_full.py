"""the catalog's assets with every field: search, files, variants

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'B') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, tags, '[\"string\"]'::jsonb), 'C')"
)
NEWEST: list[Any] = [sa.literal_column('created_at DESC'), sa.literal_column('id DESC')]
# (index, its equality columns), each followed by created_at DESC, id DESC.
LISTINGS = [
    ('ix_assets_owner_created', ['owner_id', 'visibility']),
    ('ix_assets_project_created', ['project_id', 'visibility']),
    ('ix_assets_type_created', ['type', 'visibility']),
    ('ix_assets_status_created', ['status', 'visibility']),
]
TEXT_COLUMNS = ['notes', 'cdn_url', 'cdn_thumbnail_url', 'cdn_concept_art_url', 'cdn_rigged_model_url']


def upgrade() -> None:
    # Tags were a text array: the same values as a JSON array (GIN-indexed, searchable).
    op.alter_column('assets', 'tags', server_default=None, schema='assets')
    op.alter_column(
        'assets', 'tags', type_=postgresql.JSONB(astext_type=sa.Text()), postgresql_using='to_jsonb(tags)', schema='assets'
    )
    op.alter_column('assets', 'tags', server_default=sa.text("'[]'"), schema='assets')
    for name in TEXT_COLUMNS:
        op.add_column('assets', sa.Column(name, sa.Text(), nullable=True), schema='assets')
    op.add_column('assets', sa.Column('is_favorite', sa.Boolean(), server_default=sa.text('false'), nullable=False), schema='assets')
    op.add_column('assets', sa.Column('cdn_copies', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False), schema='assets')
    op.add_column('assets', sa.Column('model_file', sa.String(length=255), nullable=True), schema='assets')
    op.add_column('assets', sa.Column('file_roles', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False), schema='assets')
    op.add_column('assets', sa.Column('pipeline_id', sa.String(length=64), nullable=True), schema='assets')
    op.add_column('assets', sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True), schema='assets')
    op.add_column(
        'assets', sa.Column('search', postgresql.TSVECTOR(), sa.Computed(SEARCH_DOCUMENT, persisted=True), nullable=True), schema='assets'
    )
    op.create_check_constraint(op.f('ck_assets_tier'), 'assets', 'tier BETWEEN 1 AND 5', schema='assets')
    op.create_check_constraint(op.f('ck_assets_notes'), 'assets', 'char_length(notes) <= 5000', schema='assets')
    op.create_check_constraint(op.f('ck_assets_visibility'), 'assets', "visibility IN ('public', 'private')", schema='assets')
    op.create_foreign_key(
        op.f('fk_assets_parent_asset_id_assets'), 'assets', 'assets', ['parent_asset_id'], ['id'],
        source_schema='assets', referent_schema='assets', ondelete='SET NULL',
    )
    op.drop_index('ix_assets_project', table_name='assets', schema='assets')
    op.drop_index('ix_assets_owner_created', table_name='assets', schema='assets')
    for name, columns in LISTINGS:
        op.create_index(name, 'assets', [*columns, *NEWEST], unique=False, schema='assets')
    op.create_index('ix_assets_parent', 'assets', ['parent_asset_id'], unique=False, schema='assets')
    for name, column in (('ix_assets_tags', 'tags'), ('ix_assets_files', 'files'), ('ix_assets_search', 'search')):
        op.create_index(name, 'assets', [column], unique=False, schema='assets', postgresql_using='gin')
    op.create_table('asset_variants',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('base_asset_id', sa.UUID(), nullable=False),
    sa.Column('preset_id', sa.String(length=64), nullable=False),
    sa.Column('variant_asset_id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['base_asset_id'], ['assets.assets.id'], name=op.f('fk_asset_variants_base_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_asset_id'], ['assets.assets.id'], name=op.f('fk_asset_variants_variant_asset_id_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_variants')),
    sa.UniqueConstraint('base_asset_id', 'preset_id', name='uq_asset_variants_base_preset'),
    sa.UniqueConstraint('variant_asset_id', name='uq_asset_variants_variant'),
    schema='assets'
    )


def downgrade() -> None:
    op.drop_table('asset_variants', schema='assets')
    for name in ('ix_assets_search', 'ix_assets_files', 'ix_assets_tags', 'ix_assets_parent'):
        op.drop_index(name, table_name='assets', schema='assets')
    for name, _columns in reversed(LISTINGS):
        op.drop_index(name, table_name='assets', schema='assets')
    op.create_index('ix_assets_owner_created', 'assets', ['owner_id', *NEWEST], unique=False, schema='assets')
    op.create_index('ix_assets_project', 'assets', ['project_id'], unique=False, schema='assets')
    op.drop_constraint(op.f('fk_assets_parent_asset_id_assets'), 'assets', type_='foreignkey', schema='assets')
    for name in ('visibility', 'notes', 'tier'):
        op.drop_constraint(op.f(f'ck_assets_{name}'), 'assets', type_='check', schema='assets')
    op.drop_column('assets', 'search', schema='assets')
    for name in ('generated_at', 'pipeline_id', 'file_roles', 'model_file', 'cdn_copies', 'is_favorite', *reversed(TEXT_COLUMNS)):
        op.drop_column('assets', name, schema='assets')
    # A conversion's USING cannot hold a subquery: through a column of the old type.
    op.add_column('assets', sa.Column('tags_array', postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'"), nullable=False), schema='assets')
    op.execute("UPDATE assets.assets SET tags_array = ARRAY(SELECT jsonb_array_elements_text(tags))")
    op.drop_column('assets', 'tags', schema='assets')
    op.alter_column('assets', 'tags_array', new_column_name='tags', schema='assets')

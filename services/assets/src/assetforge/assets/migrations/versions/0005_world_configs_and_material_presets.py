"""world configs with their history; material presets, the system ones seeded

The system presets: the nine the original server shipped keep their ids, names,
categories and tiers (bronze, steel, mithril; wood, oak, willow; leather, hard-leather,
studded-leather, tiers 1-3); this catalogue carries each line on to tier 5 (iron,
adamant, rune; maple, yew; green and black dragonhide) and adds a line of gems. Colours
and prompts are ours, written for a texture generator.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STYLE = "stylized hand-painted game texture, clean readable colours"
# (id, display name, category, tier, colour, what the texture shows)
SYSTEM_PRESETS = [
    ("bronze", "Bronze", "metal", 1, "#CD7F32", "bronze metal, warm copper-brown with a dull satin sheen and faint green patina in the crevices"),
    ("iron", "Iron", "metal", 1, "#7A7A7A", "iron metal, dark matte grey with hammer marks and light rust along the edges"),
    ("steel", "Steel", "metal", 2, "#C0C0C0", "steel metal, cool silver-grey, polished with crisp bright highlights"),
    ("mithril", "Mithril", "metal", 3, "#4169E1", "mithril metal, pale blue-silver with a soft magical shimmer and a fine polished finish"),
    ("adamant", "Adamant", "metal", 4, "#2E8B57", "adamant metal, deep green with a dark lustrous sheen, heavy and dense"),
    ("rune", "Rune", "metal", 5, "#3FA7B5", "rune metal, bright cyan-teal with faintly glowing etched runes, mirror polished"),
    ("wood", "Wood", "wood", 1, "#DEB887", "plain pine wood, pale tan with straight visible grain, simple unvarnished finish"),
    ("oak", "Oak", "wood", 2, "#8B5A2B", "oak wood, medium brown hardwood with pronounced grain and a sturdy oiled finish"),
    ("willow", "Willow", "wood", 3, "#A8B560", "willow wood, pale yellow-green with smooth fine grain, light and springy"),
    ("maple", "Maple", "wood", 4, "#C46A2B", "maple wood, warm reddish-orange with tight flame grain and a smooth lacquered finish"),
    ("yew", "Yew", "wood", 5, "#7B3F1D", "yew wood, rich dark red-brown with swirling grain and a deep polished gloss"),
    ("leather", "Leather", "leather", 1, "#8B4513", "brown leather, soft natural cowhide with creases and worn edges"),
    ("hard-leather", "Hard Leather", "leather", 2, "#654321", "hardened leather, dark brown boiled hide, stiff and thick with stitched seams"),
    ("studded-leather", "Studded Leather", "leather", 3, "#7A4A23", "studded leather, brown hide reinforced with rows of round iron studs"),
    ("green-dragonhide", "Green Dragonhide", "leather", 4, "#3B7A3B", "green dragonhide, overlapping emerald scales on tough leather with a subtle sheen"),
    ("black-dragonhide", "Black Dragonhide", "leather", 5, "#2B2B2B", "black dragonhide, dark glossy scales with a faint purple iridescence"),
    ("jade", "Jade", "gem", 1, "#00A86B", "jade stone, milky green, smooth and softly translucent"),
    ("sapphire", "Sapphire", "gem", 2, "#0F52BA", "sapphire gem, deep blue faceted crystal with bright inner reflections"),
    ("emerald", "Emerald", "gem", 3, "#50C878", "emerald gem, vivid green faceted crystal with cool inner light"),
    ("ruby", "Ruby", "gem", 4, "#E0115F", "ruby gem, glowing crimson faceted crystal with warm highlights"),
    ("diamond", "Diamond", "gem", 5, "#B9F2FF", "diamond gem, clear brilliant faceted crystal with rainbow sparkle"),
]


def upgrade() -> None:
    op.create_table('world_configs',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('owner_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('genre', sa.String(length=100), nullable=True),
    sa.Column('tone', sa.String(length=100), nullable=True),
    sa.Column('races', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('factions', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('skills', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('settings', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('npc_categories', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('quest_config', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('items_config', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('is_template', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_world_configs_version_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_world_configs')),
    schema='assets'
    )
    op.create_index('uq_world_configs_one_active_per_owner', 'world_configs', ['owner_id'], unique=True, schema='assets', postgresql_where=sa.text('is_active'))
    op.create_index('ix_world_configs_owner_id', 'world_configs', ['owner_id', sa.literal_column('id DESC')], unique=False, schema='assets')
    op.create_table('world_config_history',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('config_id', sa.UUID(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change_type', sa.String(length=32), nullable=False),
    sa.Column('changed_by', sa.String(length=128), nullable=True),
    sa.Column('changed_fields', postgresql.ARRAY(sa.String(length=32)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['config_id'], ['assets.world_configs.id'], name=op.f('fk_world_config_history_config_id_world_configs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_world_config_history')),
    sa.UniqueConstraint('config_id', 'version', name='uq_world_config_history_version'),
    schema='assets'
    )
    presets = op.create_table('material_presets',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('style_prompt', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.String(length=128), nullable=True),
    sa.Column('is_system', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('tier BETWEEN 1 AND 10', name=op.f('ck_material_presets_tier_range')),
    sa.CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name=op.f('ck_material_presets_color_hex')),
    sa.CheckConstraint("(is_system AND owner_id IS NULL AND id NOT LIKE 'custom-%') OR (NOT is_system AND owner_id IS NOT NULL AND id LIKE 'custom-%')", name=op.f('ck_material_presets_system_or_owned')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_presets')),
    schema='assets'
    )
    op.create_index('ix_material_presets_owner_category', 'material_presets', ['owner_id', 'category'], unique=False, schema='assets')
    op.bulk_insert(presets, [
        {
            'id': preset_id,
            'name': preset_id,
            'display_name': display_name,
            'category': category,
            'tier': tier,
            'color': color,
            'style_prompt': f"{looks}, {_STYLE}",
            'owner_id': None,
            'is_system': True,
        }
        for preset_id, display_name, category, tier, color, looks in SYSTEM_PRESETS
    ])


def downgrade() -> None:
    op.drop_index('ix_material_presets_owner_category', table_name='material_presets', schema='assets')
    op.drop_table('material_presets', schema='assets')
    op.drop_table('world_config_history', schema='assets')
    op.drop_index('ix_world_configs_owner_id', table_name='world_configs', schema='assets')
    op.drop_index('uq_world_configs_one_active_per_owner', table_name='world_configs', schema='assets', postgresql_where=sa.text('is_active'))
    op.drop_table('world_configs', schema='assets')

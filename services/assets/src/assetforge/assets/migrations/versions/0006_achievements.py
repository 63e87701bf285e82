"""the achievement catalogue, seeded, and the achievements users earned

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, name, description, icon, points, position, assets, generations, profile, signup number
CATALOGUE = [
    ('first_asset', 'First Forge', 'Create your first asset', '🔨', 10, 1, 1, None, False, None),
    ('first_generation', 'First Generation', 'Complete your first generation pipeline', '✨', 10, 2, None, 1, False, None),
    ('profile_complete', 'Profile Complete', 'Complete your profile', '🪪', 5, 3, None, None, True, None),
    ('ten_assets', 'Apprentice Smith', 'Create 10 assets', '⚒️', 25, 4, 10, None, False, None),
    ('fifty_assets', 'Journeyman Smith', 'Create 50 assets', '🛡️', 50, 5, 50, None, False, None),
    ('hundred_assets', 'Master Smith', 'Create 100 assets', '👑', 100, 6, 100, None, False, None),
    (
        'early_adopter', 'Early Adopter',
        'One of the first 1,000 people to sign up (earned on completing your profile)',
        '🌱', 50, 7, None, None, True, 1000,
    ),
    ('power_user', 'Power User', 'Create 25 assets and complete 10 generation pipelines', '⚡', 75, 8, 25, 10, False, None),
]
COLUMNS = (
    'code', 'name', 'description', 'icon', 'points', 'position',
    'assets_required', 'generations_required', 'profile_required', 'signup_number_max',
)


def upgrade() -> None:
    achievements = op.create_table('achievements',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('icon', sa.String(length=64), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('assets_required', sa.Integer(), nullable=True),
    sa.Column('generations_required', sa.Integer(), nullable=True),
    sa.Column('profile_required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('signup_number_max', sa.Integer(), nullable=True),
    sa.CheckConstraint(
        'assets_required IS NOT NULL OR generations_required IS NOT NULL'
        ' OR profile_required OR signup_number_max IS NOT NULL',
        name=op.f('ck_achievements_has_a_condition'),
    ),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_achievements')),
    schema='assets'
    )
    op.create_table('user_achievements',
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('earned_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('progress', sa.Integer(), server_default=sa.text('100'), nullable=False),
    sa.ForeignKeyConstraint(
        ['code'], ['assets.achievements.code'],
        name=op.f('fk_user_achievements_code_achievements'), ondelete='CASCADE',
    ),
    sa.PrimaryKeyConstraint('user_id', 'code', name=op.f('pk_user_achievements')),
    schema='assets'
    )
    op.create_table('achievement_progress',
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('generations', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('profile_completed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('signup_number', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_achievement_progress')),
    schema='assets'
    )
    op.bulk_insert(achievements, [dict(zip(COLUMNS, row, strict=True)) for row in CATALOGUE])


def downgrade() -> None:
    op.drop_table('achievement_progress', schema='assets')
    op.drop_table('user_achievements', schema='assets')
    op.drop_table('achievements', schema='assets')

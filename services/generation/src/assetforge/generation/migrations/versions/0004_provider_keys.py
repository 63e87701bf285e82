"""provider keys: users' own provider keys, sealed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCHEMA = 'generation'


def upgrade() -> None:
    op.create_table(
        'provider_keys',
        sa.Column('owner_id', sa.String(length=128), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
        sa.Column('nonce', sa.LargeBinary(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint(
            "provider IN ('meshy', 'ai_gateway', 'elevenlabs')", name=op.f('ck_provider_keys_provider')
        ),
        sa.PrimaryKeyConstraint('owner_id', 'provider', name=op.f('pk_provider_keys')),
        schema=_SCHEMA,
    )


def downgrade() -> None:
    op.drop_table('provider_keys', schema=_SCHEMA)

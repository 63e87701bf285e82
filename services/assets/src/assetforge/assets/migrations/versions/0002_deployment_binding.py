"""deployment binding: the deployment this schema's outbox belongs to

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 13:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('deployment',
    sa.Column('singleton', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('deployment_id', sa.UUID(), nullable=False),
    sa.Column('bound_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('singleton', name=op.f('ck_deployment_singleton')),
    sa.PrimaryKeyConstraint('singleton', name=op.f('pk_deployment')),
    schema='assets'
    )


def downgrade() -> None:
    op.drop_table('deployment', schema='assets')

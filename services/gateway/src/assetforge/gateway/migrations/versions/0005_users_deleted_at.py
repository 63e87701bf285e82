"""users deleted by an administrator: kept, emptied, and refused at sign-in

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('users', sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True), schema='gateway')


def downgrade() -> None:
    op.drop_column('users', 'deleted_at', schema='gateway')

"""usage: expected provider credits per user per day, for GENERATION_DAILY_CREDITS

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCHEMA = "generation"


def upgrade() -> None:
    op.create_table(
        "usage",
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("credits", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "day", name=op.f("pk_usage")),
        schema=_SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("usage", schema=_SCHEMA)

"""token blocklist keyed by session: revoke what a token is, not how it is spelled

Several strings verify as one token (ECDSA signatures are malleable), so a blocklist
keyed on the token's text could be walked around. Rows now hold the SHA-256 of the
session a sign-out ended. Rows written before hashed token text, which no session key
can match, so they are deleted: a token signed out before this upgrade is accepted
again until it expires (an hour for Privy's).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('DELETE FROM gateway.token_blocklist')
    op.alter_column('token_blocklist', 'token_hash', new_column_name='session_key', schema='gateway')


def downgrade() -> None:
    op.execute('DELETE FROM gateway.token_blocklist')
    op.alter_column('token_blocklist', 'session_key', new_column_name='token_hash', schema='gateway')

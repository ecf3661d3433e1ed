"""the card text size a study's sort page opens at

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 12:30:00

- study: ``text_size`` (1 to 4; each participant can still change it on the sort page).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("study", sa.Column("text_size", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("study", "text_size")

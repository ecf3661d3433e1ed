"""participant options, picture cards, resume codes, opaque ids and the move trace

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-29 07:30:00

- study: ``read_aloud``, ``idle_minutes``, ``tray_start`` (the participant options);
- statement: ``image`` and ``image_alt`` (picture cards);
- participant: ``public_id`` (random, filled in for rows already there), ``resume_hash``,
  ``active_at``, ``resume_failures``, ``resume_wait_until`` (resuming on a shared tablet);
- qsort: ``trace`` (time per step and every move).
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Every column is added with ALTER TABLE ... ADD COLUMN and a constant default, and dropped with
# ALTER TABLE ... DROP COLUMN (SQLite 3.35+), so no table is copied: on SQLite a copy would have
# to drop tables that others refer to, which foreign keys forbid.


def upgrade() -> None:
    op.add_column("study", sa.Column("read_aloud", sa.Boolean(), nullable=False, server_default="1"))
    op.add_column(
        "study", sa.Column("idle_minutes", sa.Integer(), nullable=False, server_default="10")
    )
    op.add_column(
        "study",
        sa.Column("tray_start", sa.String(length=16), nullable=False, server_default="agree"),
    )
    op.add_column("statement", sa.Column("image", sa.String(length=200), nullable=True))
    op.add_column("statement", sa.Column("image_alt", sa.String(), nullable=False, server_default=""))
    op.add_column(
        "participant",
        sa.Column("public_id", sa.String(length=32), nullable=False, server_default=""),
    )
    op.add_column("participant", sa.Column("resume_hash", sa.String(length=64), nullable=True))
    # Participants already there have no resume code, so their activity time is never read.
    op.add_column(
        "participant",
        sa.Column(
            "active_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default="1970-01-01 00:00:00+00:00",
        ),
    )
    op.add_column(
        "participant",
        sa.Column("resume_failures", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "participant", sa.Column("resume_wait_until", sa.DateTime(timezone=True), nullable=True)
    )
    _fill_public_ids()
    op.create_index(op.f("ix_participant_public_id"), "participant", ["public_id"], unique=True)
    op.add_column("qsort", sa.Column("trace", sa.JSON(), nullable=False, server_default="{}"))


def _fill_public_ids() -> None:
    """Give every participant already stored a random public id."""
    connection = op.get_bind()
    table = sa.table("participant", sa.column("id", sa.Integer), sa.column("public_id"))
    for (pid,) in connection.execute(sa.select(table.c.id)).all():
        connection.execute(
            table.update().where(table.c.id == pid).values(public_id=secrets.token_urlsafe(12))
        )


def downgrade() -> None:
    op.drop_column("qsort", "trace")
    op.drop_index(op.f("ix_participant_public_id"), table_name="participant")
    for column in ("resume_wait_until", "resume_failures", "active_at", "resume_hash", "public_id"):
        op.drop_column("participant", column)
    op.drop_column("statement", "image_alt")
    op.drop_column("statement", "image")
    for column in ("tray_start", "idle_minutes", "read_aloud"):
        op.drop_column("study", column)

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
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("read_aloud", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("idle_minutes", sa.Integer(), nullable=False, server_default="10")
        )
        batch_op.add_column(
            sa.Column("tray_start", sa.String(length=16), nullable=False, server_default="agree")
        )
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("image_alt", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("resume_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "active_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.add_column(
            sa.Column("resume_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("resume_wait_until", sa.DateTime(timezone=True), nullable=True)
        )
    _fill_public_ids()
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index(batch_op.f("ix_participant_public_id"), ["public_id"], unique=True)
    with op.batch_alter_table("qsort", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trace", sa.JSON(), nullable=False, server_default="{}"))


def _fill_public_ids() -> None:
    """Give every participant already stored a random public id."""
    connection = op.get_bind()
    table = sa.table("participant", sa.column("id", sa.Integer), sa.column("public_id"))
    for (pid,) in connection.execute(sa.select(table.c.id)).all():
        connection.execute(
            table.update().where(table.c.id == pid).values(public_id=secrets.token_urlsafe(12))
        )


def downgrade() -> None:
    with op.batch_alter_table("qsort", schema=None) as batch_op:
        batch_op.drop_column("trace")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_public_id"))
        batch_op.drop_column("resume_wait_until")
        batch_op.drop_column("resume_failures")
        batch_op.drop_column("active_at")
        batch_op.drop_column("resume_hash")
        batch_op.drop_column("public_id")
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_column("image_alt")
        batch_op.drop_column("image")
    with op.batch_alter_table("study", schema=None) as batch_op:
        batch_op.drop_column("tray_start")
        batch_op.drop_column("idle_minutes")
        batch_op.drop_column("read_aloud")

"""a lease on background analysis runs

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29 10:30:00

A background run is held by one worker at a time: ``lease_owner`` names the worker (a random
token) and ``lease_expires`` says until when its heartbeat holds the run. A queued or running
run whose lease has expired (its worker died) is taken over by another process or a later
request; rows from before this revision have no lease and count as expired.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('lease_owner', sa.String(length=32), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('lease_expires', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_column('lease_expires')
        batch_op.drop_column('lease_owner')

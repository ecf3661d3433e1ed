"""facilitator sessions: group label, seats, tablet clearing, help requests, paper entry

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29 07:40:00

The user ids (``opened_by``, ``answered_by``, ``entered_by``, ``checked_by``, ``first_by``,
``second_by``) are plain nullable integers: the users table arrives with staff accounts, and a
later revision turns them into foreign keys.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('sort_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_label', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('seats', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seat_names', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('opened_by', sa.Integer(), nullable=True))

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seat', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', _when(), nullable=True))

    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('stage_since', _when(), nullable=True))

    with op.batch_alter_table('qsort', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checked_by', sa.Integer(), nullable=True))

    op.create_table('help_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', _when(), nullable=False),
    sa.Column('answered_at', _when(), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_help_request_participant_id_participant')),
    sa.ForeignKeyConstraint(['session_id'], ['sort_session.id'], name=op.f('fk_help_request_session_id_sort_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request'))
    )
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_request_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_request_session_id'), ['session_id'], unique=False)

    op.create_table('paper_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('double_entry', sa.Boolean(), nullable=False),
    sa.Column('first', sa.JSON(), nullable=False),
    sa.Column('first_by', sa.Integer(), nullable=True),
    sa.Column('second', sa.JSON(), nullable=True),
    sa.Column('second_by', sa.Integer(), nullable=True),
    sa.Column('qsort_id', sa.Integer(), nullable=True),
    sa.Column('created_at', _when(), nullable=False),
    sa.Column('updated_at', _when(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_paper_entry_participant_id_participant')),
    sa.ForeignKeyConstraint(['qsort_id'], ['qsort.id'], name=op.f('fk_paper_entry_qsort_id_qsort')),
    sa.ForeignKeyConstraint(['session_id'], ['sort_session.id'], name=op.f('fk_paper_entry_session_id_sort_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entry'))
    )
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_entry_participant_id'), ['participant_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_paper_entry_session_id'), ['session_id'], unique=False)


def downgrade() -> None:
    # Columns are dropped in place (SQLite 3.35+ and PostgreSQL): the batch table copy SQLite
    # used before fails on a table other rows point to.
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_entry_session_id'))
        batch_op.drop_index(batch_op.f('ix_paper_entry_participant_id'))
    op.drop_table('paper_entry')
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_request_session_id'))
        batch_op.drop_index(batch_op.f('ix_help_request_participant_id'))
    op.drop_table('help_request')
    op.drop_column('qsort', 'checked_by')
    op.drop_column('qsort', 'entered_by')
    op.drop_column('draft', 'stage_since')
    op.drop_column('draft', 'stage')
    op.drop_column('participant', 'revoked_at')
    op.drop_column('participant', 'seat')
    op.drop_column('sort_session', 'opened_by')
    op.drop_column('sort_session', 'seat_names')
    op.drop_column('sort_session', 'seats')
    op.drop_column('sort_session', 'group_label')

"""saved analyses and background analysis runs

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-29 08:10:00

A saved analysis keeps its name, which sorts it uses and qsort's options as JSON; an analysis
run keeps a background run's progress and result, unique per study and run key so that the same
analysis is never started twice. (Written against revision 0001's tables; chained after 0002 on
this branch so that the branch has a single head.)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('saved_analysis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('selection', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', _when(), nullable=False),
    sa.Column('updated_at', _when(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_saved_analysis_study_id_study')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_analysis')),
    sa.UniqueConstraint('study_id', 'name', name=op.f('uq_saved_analysis_study_id_name'))
    )
    with op.batch_alter_table('saved_analysis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_analysis_study_id'), ['study_id'], unique=False)

    op.create_table('analysis_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('run_key', sa.String(length=64), nullable=False),
    sa.Column('selection', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('stage', sa.String(length=80), nullable=False),
    sa.Column('message', sa.String(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', _when(), nullable=False),
    sa.Column('updated_at', _when(), nullable=False),
    sa.Column('finished_at', _when(), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_analysis_run_study_id_study')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_run')),
    sa.UniqueConstraint('study_id', 'run_key', name=op.f('uq_analysis_run_study_id_run_key'))
    )
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_run_study_id'), ['study_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_run_study_id'))
    op.drop_table('analysis_run')
    with op.batch_alter_table('saved_analysis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_analysis_study_id'))
    op.drop_table('saved_analysis')

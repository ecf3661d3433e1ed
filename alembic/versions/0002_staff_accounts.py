"""staff accounts, study rights, sign-in limits, audit record, study status, sort exclusion

Revision ID: 0002
Revises: 0004
Create Date: 2026-11-29 07:53:25

Staff accounts (``staff_user``) with their rights on studies (``study_access``), failed sign-ins
kept for the rate limit (``sign_in_failure``), the append-only audit record (``audit_event``), a
study's status (existing studies are open, as they were) and sort exclusion and import source.
This branch chains it after 0004 (the facilitators' revision already on main).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sign_in_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failure'))
    )
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failure_key'), ['key'], unique=False)

    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user'))
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_user_email'), ['email'], unique=True)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=True),
    sa.Column('participant', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_audit_event_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_study_id'), ['study_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_user_id'), ['user_id'], unique=False)

    op.create_table('study_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('right', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_study_access_study_id_study')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_study_access_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_access')),
    sa.UniqueConstraint('study_id', 'user_id', name=op.f('uq_study_access_study_id_user_id'))
    )
    with op.batch_alter_table('study_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_access_study_id'), ['study_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_study_access_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('qsort', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded_reason', sa.String(), nullable=True))
        batch_op.add_column(sa.Column('excluded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('excluded_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_file', sa.String(length=255), nullable=False, server_default=''))

    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='open'))



def downgrade() -> None:
    # Columns are dropped in place (SQLite 3.35+ and PostgreSQL): the batch table copy SQLite
    # used before fails on a table other rows point to.
    op.drop_column('study', 'status')

    op.drop_column('qsort', 'source_file')
    op.drop_column('qsort', 'excluded_by')
    op.drop_column('qsort', 'excluded_at')
    op.drop_column('qsort', 'excluded_reason')

    with op.batch_alter_table('study_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_study_access_study_id'))

    op.drop_table('study_access')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_study_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_user_email'))

    op.drop_table('staff_user')
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failure_key'))

    op.drop_table('sign_in_failure')

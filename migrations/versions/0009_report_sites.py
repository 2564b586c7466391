"""Reports carry their own site

A report started from a blank form (0007) has no session to take a site
from, so each report stores the site whose reviewers see it: its
session's, or for a report without a session its author's.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports') as batch:
        batch.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
    reports = sa.table('reports', sa.column('site_id', sa.Integer), sa.column('session_id', sa.Integer),
                       sa.column('created_by_id', sa.Integer))
    sessions = sa.table('ect_sessions', sa.column('id', sa.Integer), sa.column('site_id', sa.Integer))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('site_id', sa.Integer))
    from_session = sa.select(sessions.c.site_id).where(sessions.c.id == reports.c.session_id).scalar_subquery()
    from_author = sa.select(users.c.site_id).where(users.c.id == reports.c.created_by_id).scalar_subquery()
    op.execute(reports.update().values(site_id=sa.func.coalesce(from_session, from_author)))
    with op.batch_alter_table('reports') as batch:
        batch.alter_column('site_id', existing_type=sa.Integer(), nullable=False)
        batch.create_index(op.f('ix_reports_site_id'), ['site_id'], unique=False)
        batch.create_foreign_key(op.f('fk_reports_site_id_sites'), 'sites', ['site_id'], ['id'])
    # A governance lead's queries are limited to their site: the queue's per-state walks and the
    # header's "Needs action" count read these without a look-up per row.
    op.create_index('ix_reports_site_id_state_due_date', 'reports', ['site_id', 'state', 'due_date', 'id'])
    op.create_index('ix_reports_site_id_state_mhra_sent_date', 'reports', ['site_id', 'state', 'mhra_sent_date'])


def downgrade():
    op.drop_index('ix_reports_site_id_state_mhra_sent_date', table_name='reports')
    op.drop_index('ix_reports_site_id_state_due_date', table_name='reports')
    with op.batch_alter_table('reports') as batch:
        batch.drop_constraint(op.f('fk_reports_site_id_sites'), type_='foreignkey')
        batch.drop_index(op.f('ix_reports_site_id'))
        batch.drop_column('site_id')

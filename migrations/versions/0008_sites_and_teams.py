"""Sites and teams; users and sessions belong to a site; first sign-in password change

Existing users and sessions are put on one default site (code DEFAULT),
which an administrator can rename. Sessions take no team: a team is
chosen for new sessions from their author's team.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

DEFAULT_SITE_CODE = 'DEFAULT'  # ect_reporting.models.site.DEFAULT_SITE_CODE, copied: migrations never import the app


def upgrade():
    op.create_table(
        'sites',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
        sa.UniqueConstraint('code', name=op.f('uq_sites_code')),
    )
    op.create_table(
        'teams',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_teams_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
        sa.UniqueConstraint('site_id', 'name', name='uq_teams_site_id_name'),
    )
    op.create_index(op.f('ix_teams_site_id'), 'teams', ['site_id'], unique=False)

    sites = sa.table('sites', sa.column('id', sa.Integer), sa.column('code', sa.String),
                     sa.column('name', sa.String), sa.column('created_at', sa.DateTime))
    op.execute(sa.text(
        "INSERT INTO sites (code, name, created_at) VALUES (:code, 'Default site', CURRENT_TIMESTAMP)"
    ).bindparams(code=DEFAULT_SITE_CODE))
    default_site = sa.select(sites.c.id).where(sites.c.code == DEFAULT_SITE_CODE).scalar_subquery()

    for table in ('users', 'ect_sessions'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
            batch.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        op.execute(sa.table(table, sa.column('site_id', sa.Integer)).update().values(site_id=default_site))
        with op.batch_alter_table(table) as batch:
            batch.alter_column('site_id', existing_type=sa.Integer(), nullable=False)
            batch.create_index(op.f(f'ix_{table}_site_id'), ['site_id'], unique=False)
            batch.create_index(op.f(f'ix_{table}_team_id'), ['team_id'], unique=False)
            batch.create_foreign_key(op.f(f'fk_{table}_site_id_sites'), 'sites', ['site_id'], ['id'])
            batch.create_foreign_key(op.f(f'fk_{table}_team_id_teams'), 'teams', ['team_id'], ['id'])
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.text('false')))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('must_change_password')
    for table in ('ect_sessions', 'users'):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'fk_{table}_team_id_teams'), type_='foreignkey')
            batch.drop_constraint(op.f(f'fk_{table}_site_id_sites'), type_='foreignkey')
            batch.drop_index(op.f(f'ix_{table}_team_id'))
            batch.drop_index(op.f(f'ix_{table}_site_id'))
            batch.drop_column('team_id')
            batch.drop_column('site_id')
    op.drop_index(op.f('ix_teams_site_id'), table_name='teams')
    op.drop_table('teams')
    op.drop_table('sites')

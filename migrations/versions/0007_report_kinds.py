"""Defective-medicine reports, device near misses and reports without a session (issue 10)

New nullable columns on ``reports`` (and ``no_patient_involved`` defaulting
to false); ``session_id`` becomes nullable so a device or defective-medicine
report can start from a blank form. Existing reports take their site and
nation from their session, so every report says where it comes from.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('session_id', existing_type=sa.Integer(), nullable=True)
        # "defective_medicine" is longer than the 16 characters "medicine" and "device" needed.
        batch_op.alter_column('kind', existing_type=sa.String(length=16), type_=sa.String(length=32))
        batch_op.add_column(sa.Column('site_name', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('nation', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('source_report_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('no_patient_involved', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('product_strength', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('product_form', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('product_expiry', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('product_manufacturer', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('defect_category', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('defect_description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('used_on_patient', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('reaction_followed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('quantity_affected', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stock_location', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('pharmacy_informed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('supplier_informed', sa.Boolean(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_source_report_id'), ['source_report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_defect_category'), ['defect_category'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_reports_source_report_id_reports'), 'reports', ['source_report_id'], ['id']
        )
    op.execute(
        "UPDATE reports SET site_name = (SELECT s.site_name FROM ect_sessions s WHERE s.id = reports.session_id), "
        "nation = (SELECT s.nation FROM ect_sessions s WHERE s.id = reports.session_id)"
    )


# Reports 0006 cannot hold: no session, or the kind it does not know.
_NOT_IN_0006 = "SELECT id FROM reports WHERE session_id IS NULL OR kind = 'defective_medicine'"


def downgrade():
    for table in ('reactions', 'other_drugs', 'report_comments'):
        op.execute(f"DELETE FROM {table} WHERE report_id IN ({_NOT_IN_0006})")
    op.execute("UPDATE reports SET source_report_id = NULL")
    op.execute(f"UPDATE reports SET follow_up_of_id = NULL WHERE follow_up_of_id IN ({_NOT_IN_0006})")
    op.execute("DELETE FROM reports WHERE session_id IS NULL OR kind = 'defective_medicine'")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reports_source_report_id_reports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reports_defect_category'))
        batch_op.drop_index(batch_op.f('ix_reports_source_report_id'))
        for column in (
            'supplier_informed', 'pharmacy_informed', 'stock_location', 'quantity_affected', 'reaction_followed',
            'used_on_patient', 'defect_description', 'defect_category', 'product_manufacturer', 'product_expiry',
            'product_form', 'product_strength', 'no_patient_involved', 'source_report_id', 'nation', 'site_name',
        ):
            batch_op.drop_column(column)
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=16))
        batch_op.alter_column('session_id', existing_type=sa.Integer(), nullable=False)

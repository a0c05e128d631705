"""cohort content groups: the content group of a course's cohort partition a cohort is linked to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohort_course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_group_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('cohort_course', schema=None) as batch_op:
        batch_op.drop_column('content_group_id')

"""job recovery: the task and arguments of each job, its attempts and the claim of the run holding it,
so that a job whose worker died is run again, and recorded as done once

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 00:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('task_args', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('claim', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('claim')
        batch_op.drop_column('attempts')
        batch_op.drop_column('task_args')
        batch_op.drop_column('task_name')

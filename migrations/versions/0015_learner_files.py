"""learner files: the files learners upload to staff-graded assignments, and trainers' annotated copies

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'learner_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_key', sa.String(length=255), nullable=False),
        sa.Column('usage_id', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.String(length=16), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=128), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_learner_file_user_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_learner_file_uploaded_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_learner_file')),
        sa.UniqueConstraint('usage_id', 'user_id', 'slot', name=op.f('uq_learner_file_usage_id_user_id_slot')),
    )
    with op.batch_alter_table('learner_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learner_file_course_key'), ['course_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_learner_file_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('learner_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learner_file_user_id'))
        batch_op.drop_index(batch_op.f('ix_learner_file_course_key'))
    op.drop_table('learner_file')

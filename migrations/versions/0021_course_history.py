"""course history: who changed a course, how and when (imports and studio edits), shown in the studio

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 07:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'course_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=255), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('blocks', sa.Integer(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('course_change', schema=None) as batch_op:
        batch_op.create_index('ix_course_change_course_time', ['course_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('course_change', schema=None) as batch_op:
        batch_op.drop_index('ix_course_change_course_time')
    op.drop_table('course_change')

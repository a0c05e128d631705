"""peer review: the responses of the openassessment block's peer step and their peers' assessments

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'peer_submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('usage_id', sa.String(length=255), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('responses', sa.JSON(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('assessed_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_peer_submission_cohort_id_cohort'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_peer_submission_course_id_course'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_peer_submission_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_submission')),
        sa.UniqueConstraint('usage_id', 'user_id', name=op.f('uq_peer_submission_usage_id_user_id')),
    )
    with op.batch_alter_table('peer_submission', schema=None) as batch_op:
        batch_op.create_index(
            'ix_peer_submission_pool', ['usage_id', 'cohort_id', 'assessed_count', 'submitted_at'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_peer_submission_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_submission_user_id'), ['user_id'], unique=False)

    op.create_table(
        'peer_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('usage_id', sa.String(length=255), nullable=False),
        sa.Column('scorer_id', sa.Integer(), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('criterion_feedback', sa.JSON(), nullable=False),
        sa.Column('feedback', sa.Text(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['scorer_id'], ['user_account.id'], name=op.f('fk_peer_assessment_scorer_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submission_id'], ['peer_submission.id'], name=op.f('fk_peer_assessment_submission_id_peer_submission'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_assessment')),
        sa.UniqueConstraint('submission_id', 'scorer_id', name=op.f('uq_peer_assessment_submission_id_scorer_id')),
    )
    with op.batch_alter_table('peer_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_peer_assessment_scorer', ['scorer_id', 'usage_id', 'completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('peer_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_peer_assessment_scorer')
    op.drop_table('peer_assessment')
    with op.batch_alter_table('peer_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_submission_user_id'))
        batch_op.drop_index(batch_op.f('ix_peer_submission_course_id'))
        batch_op.drop_index('ix_peer_submission_pool')
    op.drop_table('peer_submission')

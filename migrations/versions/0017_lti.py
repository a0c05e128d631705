"""lti: the platform's signing keys, used nonces and the anonymous ids given to LTI tools

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 20:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lti_platform_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=64), nullable=False),
        sa.Column('private_pem', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kid'),
    )
    op.create_table(
        'lti_used_nonce',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('value'),
    )
    with op.batch_alter_table('lti_used_nonce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_used_nonce_used_at'), ['used_at'], unique=False)
    op.create_table(
        'lti_learner',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_key', sa.String(length=255), nullable=False),
        sa.Column('anonymous_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('course_key', 'anonymous_id'),
    )
    with op.batch_alter_table('lti_learner', schema=None) as batch_op:
        batch_op.create_index('ix_lti_learner_user', ['user_id'], unique=False)


def downgrade():
    op.drop_table('lti_learner')
    op.drop_table('lti_used_nonce')
    op.drop_table('lti_platform_key')

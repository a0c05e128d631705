"""cohort invitations (seats kept for invited people) and enrolment files awaiting confirmation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_invitation_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_cohort_invitation_company_id_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_cohort_invitation_invitation_id_invitation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_invitation')),
    sa.UniqueConstraint('cohort_id', 'email', name=op.f('uq_cohort_invitation_cohort_id_email'))
    )
    with op.batch_alter_table('cohort_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_invitation_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_invitation_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_invitation_invitation_id'), ['invitation_id'], unique=False)

    op.create_table('cohort_upload',
    sa.Column('id', sa.String(length=43), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_upload_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_cohort_upload_uploaded_by_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_upload'))
    )
    with op.batch_alter_table('cohort_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_upload_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_upload_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_upload_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cohort_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_upload_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_upload_created_at'))
        batch_op.drop_index(batch_op.f('ix_cohort_upload_cohort_id'))

    op.drop_table('cohort_upload')
    with op.batch_alter_table('cohort_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_invitation_invitation_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_invitation_company_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_invitation_cohort_id'))

    op.drop_table('cohort_invitation')

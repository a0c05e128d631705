"""vista company score time index: the newest stored score is found at an index's end

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vista_company_score', schema=None) as batch_op:
        batch_op.create_index('ix_vista_company_score_computed_at', ['computed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('vista_company_score', schema=None) as batch_op:
        batch_op.drop_index('ix_vista_company_score_computed_at')

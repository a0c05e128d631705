"""course asset openedx name: course files are also found by the name Open edX gives them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:40:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The rule of app.runtime.olx_course.openedx_asset_name, as it stood when this migration was written.
_INVALID = re.compile(r"[^\w.%-]", re.UNICODE)


def upgrade():
    with op.batch_alter_table('course_asset', schema=None) as batch_op:
        batch_op.add_column(sa.Column('openedx_name', sa.String(length=512), nullable=True))
        batch_op.create_index('ix_course_asset_tree_id_openedx_name', ['tree_id', 'openedx_name'], unique=False)
    connection = op.get_bind()
    assets = sa.table('course_asset', sa.column('id', sa.Integer), sa.column('path', sa.String),
                      sa.column('openedx_name', sa.String))
    rows = connection.execute(sa.select(assets.c.id, assets.c.path)).all()
    for ident, path in rows:
        connection.execute(
            assets.update().where(assets.c.id == ident).values(openedx_name=_INVALID.sub('_', path.replace('/', '_')))
        )


def downgrade():
    with op.batch_alter_table('course_asset', schema=None) as batch_op:
        batch_op.drop_index('ix_course_asset_tree_id_openedx_name')
        batch_op.drop_column('openedx_name')

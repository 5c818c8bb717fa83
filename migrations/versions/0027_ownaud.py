"""ownaud: which of the round's audiences each own question is asked of (issue 20)

Revision ID: 0027_ownaud
Revises: 0026_qtypes

One nullable column: NULL means every audience of the round, so every question already
stored keeps being asked of all of them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_ownaud"
down_revision = "0026_qtypes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audiences", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("round_question", schema=None) as batch_op:
        batch_op.drop_column("audiences")

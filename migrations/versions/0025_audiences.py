"""audiences: the audiences a round defines itself, with their statements (issue 22)

Revision ID: 0025_audiences
Revises: 0024_agebands

Rounds already stored ask only the built-in and framework audiences.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_audiences"
down_revision = "0024_agebands"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "custom_audiences", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )


def downgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("custom_audiences")

"""audiences: the audiences a round defines itself, with their statements (issue 22)

Revision ID: 0099_audiences
Revises: 0023_easy_read

Rounds already stored ask only the built-in and framework audiences.
"""

import sqlalchemy as sa
from alembic import op

revision = "0099_audiences"
down_revision = "0023_easy_read"
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

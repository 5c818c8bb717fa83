"""lang: the adult audiences a round asks in easy-read English (issue 17)

Revision ID: 0023_easy_read
Revises: 0022_kiosk

Rounds already stored ask nobody in easy read.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_easy_read"
down_revision = "0022_kiosk"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "easy_read_audiences", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )


def downgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("easy_read_audiences")

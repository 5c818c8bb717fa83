"""offline: a per-round grace period for answers made offline before the close (issue 18)

Revision ID: 0021_offline
Revises: 0020_admin

Rounds already stored get the default of 3 days. Nothing about when a queued answer was made
is stored: the grant a device carries proves it, and only its spent-id hash is kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_offline"
down_revision = "0020_admin"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("grace_days", sa.Integer(), nullable=False, server_default=sa.text("3"))
        )


def downgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("grace_days")

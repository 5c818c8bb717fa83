"""assessment: one imported evidence item per round and indicator

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_evidence_import", ["assessment_id", "imported_round_id", "indicator_id"]
        )


def downgrade():
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.drop_constraint("uq_evidence_import", type_="unique")

"""reports: "you said, we did" notices, one per round, unpublished by default

Revision ID: 0015_reports
Revises: 0014_people
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_reports"
down_revision = "0014_people"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_notice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("heard", sa.Text(), nullable=False),
        sa.Column("doing", sa.Text(), nullable=False),
        sa.Column("indicator_ids", sa.JSON(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_round_notice_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_notice")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_notice_round_id")),
    )


def downgrade():
    op.drop_table("round_notice")

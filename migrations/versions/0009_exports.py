"""exports: paper questionnaire imports, remembered so a batch is not counted twice

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "paper_import",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("questionnaires", sa.Integer(), nullable=False),
        sa.Column("imported_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_paper_import_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_import")),
        sa.UniqueConstraint("round_id", "fingerprint", name="uq_paper_import_fingerprint"),
    )
    with op.batch_alter_table("paper_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_import_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("paper_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_import_round_id"))
    op.drop_table("paper_import")

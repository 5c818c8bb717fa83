"""mix: the sealed inbox, spent submission ids, release batches; no language on a response

Revision ID: 0010
Revises: 0009

Responses already stored keep their rows and get release batch 0 (never held back from
readers). The language column only ever held "en" and nothing read it (DESIGN.md 6.1: no
language on a response row), so it is dropped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sealed_submission",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_sealed_submission_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_submission")),
    )
    with op.batch_alter_table("sealed_submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sealed_submission_round_audience", ["round_id", "audience"], unique=False
        )
    op.create_table(
        "spent_submission",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_spent_submission_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_spent_submission")),
    )
    with op.batch_alter_table("spent_submission", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spent_submission_round_id"), ["round_id"], unique=False
        )
    op.create_table(
        "release_counter",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_release_counter_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_release_counter")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("release_batch", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_index("ix_response_round_audience")
        batch_op.create_index(
            "ix_response_round_audience_batch",
            ["round_id", "audience", "release_batch"],
            unique=False,
        )
        batch_op.drop_column("language")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("release_batch", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_index("ix_answer_round_item_value")
        batch_op.create_index(
            "ix_answer_round_item_value_batch",
            ["round_id", "item_id", "value", "release_batch"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_round_item_value_batch")
        batch_op.create_index(
            "ix_answer_round_item_value", ["round_id", "item_id", "value"], unique=False
        )
        batch_op.drop_column("release_batch")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=10), server_default="en", nullable=False)
        )
        batch_op.drop_index("ix_response_round_audience_batch")
        batch_op.create_index("ix_response_round_audience", ["round_id", "audience"], unique=False)
        batch_op.drop_column("release_batch")
    op.drop_table("release_counter")
    with op.batch_alter_table("spent_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spent_submission_round_id"))
    op.drop_table("spent_submission")
    with op.batch_alter_table("sealed_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_sealed_submission_round_audience")
    op.drop_table("sealed_submission")

"""qtypes: the coordinator's own questions per round and their answers (issue 20)

Revision ID: 0026_qtypes
Revises: 0025_audiences

New tables only: rounds already stored have no questions of their own.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_qtypes"
down_revision = "0025_audiences"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_question",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("indicator_id", sa.String(length=40), nullable=True),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_round_question_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_question")),
    )
    with op.batch_alter_table("round_question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_question_round_id"), ["round_id"], unique=False)
    op.create_table(
        "question_answer",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("release_batch", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["round_question.id"],
            name=op.f("fk_question_answer_question_id_round_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_question_answer_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_question_answer_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "question_id", "value", name=op.f("pk_question_answer")
        ),
    )
    with op.batch_alter_table("question_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_question_answer_round_question_value_batch",
            ["round_id", "question_id", "value", "release_batch"],
            unique=False,
        )
    op.create_table(
        "question_text",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["round_question.id"],
            name=op.f("fk_question_text_question_id_round_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_question_text_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_question_text_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_text")),
    )
    with op.batch_alter_table("question_text", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_text_question_id"), ["question_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_question_text_response_id"), ["response_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_question_text_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("question_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_text_round_id"))
        batch_op.drop_index(batch_op.f("ix_question_text_response_id"))
        batch_op.drop_index(batch_op.f("ix_question_text_question_id"))
    op.drop_table("question_text")
    with op.batch_alter_table("question_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_question_answer_round_question_value_batch")
    op.drop_table("question_answer")
    with op.batch_alter_table("round_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_question_round_id"))
    op.drop_table("round_question")

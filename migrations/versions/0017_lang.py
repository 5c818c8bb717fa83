"""lang: languages a round offers, questionnaires' translations, contacts' preferred language

Revision ID: 0017_lang
Revises: 0016_sso

Rounds already stored offer English only. No response gets a language (DESIGN.md 6.1).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_lang"
down_revision = "0016_sso"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "language_count",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_language_count_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "audience", "language", name=op.f("pk_language_count")),
    )
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("languages", sa.JSON(), nullable=False, server_default=sa.text("'[\"en\"]'"))
        )
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.drop_column("translations")
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("languages")
    op.drop_table("language_count")

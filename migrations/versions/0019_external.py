"""external: existing feedback as evidence (issue 22)

Revision ID: 0019_external
Revises: 0018_reports

An assessment's own anonymity threshold (NULL: the organisation's), and the files of surveys
run elsewhere imported into an assessment. Existing rows keep their meaning.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_external"
down_revision = "0018_reports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("threshold", sa.Integer(), nullable=True))
    op.create_table(
        "external_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("confirmed_by_id", sa.Uuid(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_external_import_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_external_import_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_external_import_confirmed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_import")),
        sa.UniqueConstraint("assessment_id", "sha256", name="uq_external_import_file"),
    )
    with op.batch_alter_table("external_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_import_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("external_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_import_assessment_id"))
    op.drop_table("external_import")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("threshold")

"""lifecycle: archived rounds, editable message wording, an organisation's address book

Revision ID: 0013_lifecycle
Revises: 0012_api
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_lifecycle"
down_revision = "0012_api"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("invitation_intro", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reminder_intro", sa.Text(), nullable=True))
    op.create_table(
        "address_book_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("group_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_address_book_entry_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_book_entry")),
        sa.UniqueConstraint(
            "organisation_id", "group_name", "email", name="uq_address_book_group_email"
        ),
    )
    with op.batch_alter_table("address_book_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_address_book_entry_organisation_id"), ["organisation_id"]
        )


def downgrade():
    with op.batch_alter_table("address_book_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_address_book_entry_organisation_id"))
    op.drop_table("address_book_entry")
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("reminder_intro")
        batch_op.drop_column("invitation_intro")
        batch_op.drop_column("archived_at")

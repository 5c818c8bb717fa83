"""people: colleagues' account links, deactivated memberships, retention, bounced invitations

Revision ID: 0014_people
Revises: 0013_lifecycle
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_people"
down_revision = "0013_lifecycle"
branch_labels = None
depends_on = None

OLD_DELIVERY = ("queued", "sent", "failed")
NEW_DELIVERY = ("queued", "sent", "failed", "bounced")


def _delivery(values):
    return sa.Enum(
        *values, name="delivery_status", native_enum=False, create_constraint=True, length=20
    )


def upgrade():
    op.create_table(
        "account_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum(
                "invite",
                "reset",
                name="account_link_purpose",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_link_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_account_link_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_link_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retention_days", sa.Integer(), nullable=False, server_default="30")
        )
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retain_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("contacts_erased_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.alter_column(
            "delivery",
            existing_type=_delivery(OLD_DELIVERY),
            type_=_delivery(NEW_DELIVERY),
            existing_nullable=False,
        )


def downgrade():
    op.execute("UPDATE invitation SET delivery = 'failed' WHERE delivery = 'bounced'")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.alter_column(
            "delivery",
            existing_type=_delivery(NEW_DELIVERY),
            type_=_delivery(OLD_DELIVERY),
            existing_nullable=False,
        )
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("contacts_erased_at")
        batch_op.drop_column("retain_until")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("retention_days")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("active")
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_user_id"))
    op.drop_table("account_link")

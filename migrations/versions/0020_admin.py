"""admin: an organisation's time zone; an identity provider that may vouch for email by domain;
password resets sent through the outbox

Revision ID: 0020_admin
Revises: 0019_external

Organisations already stored keep Europe/London (the global default until now). Providers
already stored keep requiring email_verified.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_admin"
down_revision = "0019_external"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "time_zone",
                sa.String(length=64),
                nullable=False,
                server_default="Europe/London",
            )
        )
    with op.batch_alter_table("identity_provider", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "trust_domain_verified_email",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_link_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_message_account_link_id"), ["account_link_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_account_link_id_account_link"),
            "account_link",
            ["account_link_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_message_kind"), type_="check")
        batch_op.create_check_constraint("message_kind", KINDS)


# 0018_reports added 'you_said' before this revision was chained after it.
KINDS = "kind IN ('invitation', 'reminder', 'you_said', 'password_reset')"
OLD_KINDS = "kind IN ('invitation', 'reminder', 'you_said')"


def downgrade():
    op.execute("DELETE FROM outbox_message WHERE kind = 'password_reset'")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_message_kind"), type_="check")
        batch_op.create_check_constraint("message_kind", OLD_KINDS)
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_account_link_id_account_link"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_message_account_link_id"))
        batch_op.drop_column("account_link_id")
    with op.batch_alter_table("identity_provider", schema=None) as batch_op:
        batch_op.drop_column("trust_domain_verified_email")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("time_zone")

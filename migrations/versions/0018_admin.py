"""admin: an organisation's time zone; an identity provider that may vouch for email by domain

Revision ID: 0018_admin
Revises: 0017_lang

Organisations already stored keep Europe/London (the global default until now). Providers
already stored keep requiring email_verified.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_admin"
down_revision = "0017_lang"
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


def downgrade():
    with op.batch_alter_table("identity_provider", schema=None) as batch_op:
        batch_op.drop_column("trust_domain_verified_email")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("time_zone")

"""sso: an organisation's OpenID Connect identity provider, and whether passwords still work

Revision ID: 0016_sso
Revises: 0015_reports
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_sso"
down_revision = "0015_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "identity_provider",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.Column("client_secret_sealed", sa.Text(), nullable=False),
        sa.Column("email_domains", sa.JSON(), nullable=False),
        sa.Column("create_accounts", sa.Boolean(), nullable=False),
        sa.Column("passwords_allowed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_identity_provider_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_identity_provider_organisation_id")),
    )


def downgrade():
    op.drop_table("identity_provider")

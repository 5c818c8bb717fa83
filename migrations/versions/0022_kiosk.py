"""kiosk: shared tablets paired to an open link; "kiosk" becomes a response channel

Revision ID: 0022_kiosk
Revises: 0021_offline

Existing rows are untouched: no kiosk exists yet, and the channel CHECK only widens.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_kiosk"
down_revision = "0021_offline"
branch_labels = None
depends_on = None

_OLD = ("email", "open_link", "paper")
_NEW = (*_OLD, "kiosk")


def _channel(values):
    return sa.Enum(
        *values, name="response_channel", native_enum=False, create_constraint=True, length=20
    )


def upgrade():
    op.create_table(
        "kiosk",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("open_link_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("pairing_hash", sa.String(length=64), nullable=True),
        sa.Column("pairing_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_hash", sa.String(length=64), nullable=True),
        sa.Column("paired_on", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["open_link_id"],
            ["open_link.id"],
            name=op.f("fk_kiosk_open_link_id_open_link"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["feedback_round.id"],
            name=op.f("fk_kiosk_round_id_feedback_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk")),
        sa.UniqueConstraint("pairing_hash", name=op.f("uq_kiosk_pairing_hash")),
    )
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kiosk_open_link_id"), ["open_link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kiosk_round_id"), ["round_id"], unique=False)
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.alter_column(
            "channel", existing_type=_channel(_OLD), type_=_channel(_NEW), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.alter_column(
            "channel", existing_type=_channel(_NEW), type_=_channel(_OLD), existing_nullable=False
        )
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_round_id"))
        batch_op.drop_index(batch_op.f("ix_kiosk_open_link_id"))
    op.drop_table("kiosk")

"""reports: "you said, we did" emails (a message kind, and when the notice was emailed)

Revision ID: 0018_reports
Revises: 0017_lang
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_reports"
down_revision = "0017_lang"
branch_labels = None
depends_on = None

OLD_KINDS = ("invitation", "reminder")
NEW_KINDS = ("invitation", "reminder", "you_said")


def _kind(values):
    return sa.Enum(
        *values, name="message_kind", native_enum=False, create_constraint=True, length=20
    )


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_kind(OLD_KINDS),
            type_=_kind(NEW_KINDS),
            existing_nullable=False,
        )
    with op.batch_alter_table("round_notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("emailed_count", sa.Integer(), nullable=True))


def downgrade():
    op.execute("DELETE FROM outbox_message WHERE kind = 'you_said'")
    with op.batch_alter_table("round_notice", schema=None) as batch_op:
        batch_op.drop_column("emailed_count")
        batch_op.drop_column("emailed_at")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_kind(NEW_KINDS),
            type_=_kind(OLD_KINDS),
            existing_nullable=False,
        )

"""agebands: children and young people asked in one or more age bands (issue 20)

Revision ID: 0024_agebands
Revises: 0023_easy_read

`children_band` (one band per round, "under_12" or "12_plus") becomes `children_bands`, a list
of bands. A round stored before keeps its one band as a one-item list of the old value: the
legacy bands still load and give the one questionnaire keyed "children" they gave before
(surveys.questionnaire.LEGACY_CHILDREN_BANDS), so launched and closed rounds, their responses
and results are untouched. New rounds choose among "under_8", "8_to_12" and "13_plus".
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_agebands"
down_revision = "0023_easy_read"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("children_bands", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    for band in ("under_12", "12_plus"):
        op.execute(
            sa.text(
                f"UPDATE feedback_round SET children_bands = '[\"{band}\"]' "
                f"WHERE children_band = '{band}'"
            )
        )
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("children_band")


def downgrade():
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "children_band",
                sa.String(length=20),
                nullable=False,
                server_default="under_12",
            )
        )
    # A round asking only 13 and over was like the old "12_plus"; every other, faces.
    op.execute(
        sa.text(
            "UPDATE feedback_round SET children_band = '12_plus' "
            "WHERE CAST(children_bands AS TEXT) IN ('[\"12_plus\"]', '[\"13_plus\"]')"
        )
    )
    with op.batch_alter_table("feedback_round", schema=None) as batch_op:
        batch_op.drop_column("children_bands")

"""gatherings: the recording the host's voice plays, and vouched guests from other instances

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("experience_gatherings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recording_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_experience_gatherings_recording_id_recipe_oral_histories"),
            "recipe_oral_histories",
            ["recording_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("experience_presence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guest", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("experience_presence", schema=None) as batch_op:
        batch_op.drop_column("guest")
    with op.batch_alter_table("experience_gatherings", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_experience_gatherings_recording_id_recipe_oral_histories"), type_="foreignkey"
        )
        batch_op.drop_column("recording_id")

"""priority consent: a need's stated circumstances and the person's consent to a priority group

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("network_needs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("circumstances", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("circumstances_note", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("priority_consent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # a group chosen before consent was asked for stays only where a steward placed it;
    # self-chosen groups cannot be told apart, so they are kept and counted as consented
    op.execute("UPDATE network_needs SET priority_consent = true WHERE group_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("network_needs", schema=None) as batch_op:
        batch_op.drop_column("priority_consent")
        batch_op.drop_column("circumstances_note")
        batch_op.drop_column("circumstances")

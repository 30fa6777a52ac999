"""governance constitution and secret ballots

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gov_constitutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("floors", sa.JSON(), nullable=False),
        sa.Column("proposal", sa.Integer(), nullable=True),
        sa.Column("adopted_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_constitutions_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_constitutions")),
        sa.UniqueConstraint(
            "community_id", "version", name=op.f("uq_gov_constitutions_community_id_version")
        ),
    )
    with op.batch_alter_table("gov_constitutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_constitutions_community_id"), ["community_id"], unique=False
        )
    with op.batch_alter_table("gov_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("floor", sa.JSON(), nullable=True))
    with op.batch_alter_table("gov_votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commitment", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("salt", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_gov_votes_commitment"), ["commitment"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gov_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_votes_commitment"))
        batch_op.drop_column("salt")
        batch_op.drop_column("commitment")
    with op.batch_alter_table("gov_proposals", schema=None) as batch_op:
        batch_op.drop_column("floor")
    with op.batch_alter_table("gov_constitutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_constitutions_community_id"))
    op.drop_table("gov_constitutions")

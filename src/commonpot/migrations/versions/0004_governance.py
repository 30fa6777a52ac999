"""governance tables

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gov_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_checkpoints_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_checkpoints")),
        sa.UniqueConstraint(
            "community_id", "size", name=op.f("uq_gov_checkpoints_community_id_size")
        ),
    )
    with op.batch_alter_table("gov_checkpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_checkpoints_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "gov_delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_delegations_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["users.id"],
            name=op.f("fk_gov_delegations_delegate_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delegator_id"],
            ["users.id"],
            name=op.f("fk_gov_delegations_delegator_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_delegations")),
        sa.UniqueConstraint(
            "community_id",
            "delegator_id",
            "scope",
            name=op.f("uq_gov_delegations_community_id_delegator_id_scope"),
        ),
    )
    with op.batch_alter_table("gov_delegations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_delegations_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "gov_ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_ledger_entries_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_ledger_entries")),
        sa.UniqueConstraint(
            "community_id", "seq", name=op.f("uq_gov_ledger_entries_community_id_seq")
        ),
    )
    op.create_table(
        "gov_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("action", sa.JSON(), nullable=False),
        sa.Column("action_hash", sa.String(length=64), nullable=False),
        sa.Column("electorate", sa.JSON(), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opens_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("executable_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("executed_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_gov_proposals_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_proposals_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_proposals")),
        sa.UniqueConstraint(
            "community_id", "number", name=op.f("uq_gov_proposals_community_id_number")
        ),
    )
    with op.batch_alter_table("gov_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_proposals_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gov_proposals_state"), ["state"], unique=False)

    op.create_table(
        "gov_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_gov_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_comments_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["gov_proposals.id"],
            name=op.f("fk_gov_comments_proposal_id_gov_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_comments")),
    )
    with op.batch_alter_table("gov_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_comments_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gov_comments_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "gov_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("ballot", sa.JSON(), nullable=False),
        sa.Column("signature", sa.String(length=120), nullable=True),
        sa.Column("cast_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_votes_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["gov_proposals.id"],
            name=op.f("fk_gov_votes_proposal_id_gov_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["users.id"], name=op.f("fk_gov_votes_voter_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_votes")),
        sa.UniqueConstraint(
            "proposal_id", "voter_id", name=op.f("uq_gov_votes_proposal_id_voter_id")
        ),
    )
    with op.batch_alter_table("gov_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_votes_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gov_votes_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gov_votes_voter_id"), ["voter_id"], unique=False)

    op.create_table(
        "gov_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("pool", sa.String(length=20), nullable=False),
        sa.Column("requested", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("conviction", sa.String(length=80), nullable=False),
        sa.Column("updated_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("funded_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_gov_grants_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_grants_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_grants")),
        sa.UniqueConstraint(
            "community_id", "number", name=op.f("uq_gov_grants_community_id_number")
        ),
    )
    with op.batch_alter_table("gov_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_grants_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "gov_stakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("updated_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_stakes_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["gov_grants.id"],
            name=op.f("fk_gov_stakes_grant_id_gov_grants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_gov_stakes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_stakes")),
        sa.UniqueConstraint("grant_id", "user_id", name=op.f("uq_gov_stakes_grant_id_user_id")),
    )
    with op.batch_alter_table("gov_stakes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_stakes_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_gov_stakes_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gov_stakes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("gov_stakes")
    op.drop_table("gov_grants")
    op.drop_table("gov_votes")
    op.drop_table("gov_comments")
    op.drop_table("gov_proposals")
    op.drop_table("gov_ledger_entries")
    op.drop_table("gov_delegations")
    op.drop_table("gov_checkpoints")

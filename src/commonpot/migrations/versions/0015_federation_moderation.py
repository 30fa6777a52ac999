"""federation moderation: follower approval, reports (Flag), adaptations, remote recipe steps

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fed_followers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), server_default="accepted", nullable=False)
        )
    with op.batch_alter_table("fed_remote_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("steps", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("license", sa.String(length=500), server_default="", nullable=False)
        )
    op.execute("UPDATE fed_remote_items SET steps = '[]' WHERE steps IS NULL")
    with op.batch_alter_table("fed_remote_items", schema=None) as batch_op:
        batch_op.alter_column("steps", existing_type=sa.JSON(), nullable=False)

    op.create_table(
        "fed_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("approve_followers", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_policies_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_policies")),
        sa.UniqueConstraint("community_id", name=op.f("uq_fed_policies_community_id")),
    )
    op.create_table(
        "fed_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("flag_id", sa.String(length=500), nullable=False),
        sa.Column("actor_id", sa.String(length=500), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("objects", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_reports_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_fed_reports_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["users.id"],
            name=op.f("fk_fed_reports_handled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_reports")),
    )
    with op.batch_alter_table("fed_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_reports_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fed_reports_domain"), ["domain"], unique=False)

    op.create_table(
        "fed_adaptations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=500), nullable=False),
        sa.Column("origin_actor", sa.String(length=500), nullable=False),
        sa.Column("origin_name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("license", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_adaptations_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_fed_adaptations_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_fed_adaptations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_adaptations")),
        sa.UniqueConstraint(
            "community_id", "recipe_id", name=op.f("uq_fed_adaptations_community_id_recipe_id")
        ),
    )
    with op.batch_alter_table("fed_adaptations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_adaptations_community_id"), ["community_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("fed_adaptations")
    op.drop_table("fed_reports")
    op.drop_table("fed_policies")
    with op.batch_alter_table("fed_remote_items", schema=None) as batch_op:
        batch_op.drop_column("license")
        batch_op.drop_column("steps")
        batch_op.drop_column("summary")
    with op.batch_alter_table("fed_followers", schema=None) as batch_op:
        batch_op.drop_column("state")

"""network tables

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("expires_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "allocated >= 0 AND allocated <= quantity",
            name=op.f("ck_network_offers_allocated_within"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_offers_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_network_offers_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_offers")),
    )
    with op.batch_alter_table("network_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_offers_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "network_patches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("species", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("sustainable_yield_kg", sa.Double(), nullable=False),
        sa.Column("season_start_month", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_patches_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_patches")),
        sa.UniqueConstraint(
            "community_id", "name", name=op.f("uq_network_patches_community_id_name")
        ),
    )
    with op.batch_alter_table("network_patches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_patches_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "network_priority_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("priority", sa.Double(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_priority_groups_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_priority_groups")),
        sa.UniqueConstraint(
            "community_id", "name", name=op.f("uq_network_priority_groups_community_id_name")
        ),
    )
    with op.batch_alter_table("network_priority_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_priority_groups_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "network_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("objective", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("baseline_metrics", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("committed_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_runs_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_network_runs_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_runs")),
    )
    with op.batch_alter_table("network_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_runs_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "network_harvests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("patch_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("quantity_kg", sa.Double(), nullable=False),
        sa.Column("harvested_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_harvests_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patch_id"],
            ["network_patches.id"],
            name=op.f("fk_network_harvests_patch_id_network_patches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_network_harvests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_harvests")),
    )
    with op.batch_alter_table("network_harvests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_harvests_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_harvests_patch_id"), ["patch_id"], unique=False
        )

    op.create_table(
        "network_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "received >= 0 AND received <= quantity", name=op.f("ck_network_needs_received_within")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_needs_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["network_priority_groups.id"],
            name=op.f("fk_network_needs_group_id_network_priority_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_network_needs_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_needs")),
    )
    with op.batch_alter_table("network_needs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_needs_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "network_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("distance_km", sa.Double(), nullable=False),
        sa.Column("pickup_user_id", sa.Integer(), nullable=True),
        sa.Column("picked_up_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_assignments_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["network_needs.id"],
            name=op.f("fk_network_assignments_need_id_network_needs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["network_offers.id"],
            name=op.f("fk_network_assignments_offer_id_network_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pickup_user_id"],
            ["users.id"],
            name=op.f("fk_network_assignments_pickup_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["network_runs.id"],
            name=op.f("fk_network_assignments_run_id_network_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_assignments")),
    )
    with op.batch_alter_table("network_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_assignments_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_network_assignments_run_id"), ["run_id"], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_table("network_assignments")
    op.drop_table("network_needs")
    op.drop_table("network_harvests")
    op.drop_table("network_runs")
    op.drop_table("network_priority_groups")
    op.drop_table("network_patches")
    op.drop_table("network_offers")

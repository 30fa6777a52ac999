"""ecology tables

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eco_crop_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("moves", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("adopted_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_eco_crop_plans_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_eco_crop_plans_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eco_crop_plans")),
    )
    with op.batch_alter_table("eco_crop_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eco_crop_plans_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "eco_crops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("common_name", sa.String(length=120), nullable=False),
        sa.Column("genus", sa.String(length=80), nullable=False),
        sa.Column("family", sa.String(length=80), nullable=False),
        sa.Column("climates", sa.JSON(), nullable=False),
        sa.Column("seeds_per_m2", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_eco_crops_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eco_crops")),
        sa.UniqueConstraint("community_id", "name", name=op.f("uq_eco_crops_community_id_name")),
    )
    with op.batch_alter_table("eco_crops", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eco_crops_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "eco_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("gamed", sa.Boolean(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_eco_assessments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_eco_assessments_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["gov_proposals.id"],
            name=op.f("fk_eco_assessments_proposal_id_gov_proposals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eco_assessments")),
    )
    with op.batch_alter_table("eco_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eco_assessments_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "eco_plantings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("crop_id", sa.Integer(), nullable=False),
        sa.Column("plot", sa.String(length=80), nullable=False),
        sa.Column("variety", sa.String(length=120), nullable=False),
        sa.Column("area_m2", sa.Double(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("planted_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("area_m2 >= 0", name=op.f("ck_eco_plantings_eco_planting_area")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_eco_plantings_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["crop_id"],
            ["eco_crops.id"],
            name=op.f("fk_eco_plantings_crop_id_eco_crops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["places.id"],
            name=op.f("fk_eco_plantings_place_id_places"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["eco_crop_plans.id"],
            name=op.f("fk_eco_plantings_plan_id_eco_crop_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eco_plantings")),
    )
    with op.batch_alter_table("eco_plantings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eco_plantings_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_eco_plantings_crop_id"), ["crop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_eco_plantings_place_id"), ["place_id"], unique=False)

    op.create_table(
        "eco_seed_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("crop_id", sa.Integer(), nullable=False),
        sa.Column("variety", sa.String(length=120), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("holder_place_id", sa.Integer(), nullable=True),
        sa.Column("saved_year", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_eco_seed_lots_eco_seed_quantity")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_eco_seed_lots_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["crop_id"],
            ["eco_crops.id"],
            name=op.f("fk_eco_seed_lots_crop_id_eco_crops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["holder_place_id"],
            ["places.id"],
            name=op.f("fk_eco_seed_lots_holder_place_id_places"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eco_seed_lots")),
        sa.UniqueConstraint(
            "community_id", "code", name=op.f("uq_eco_seed_lots_community_id_code")
        ),
    )
    with op.batch_alter_table("eco_seed_lots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eco_seed_lots_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_eco_seed_lots_crop_id"), ["crop_id"], unique=False)


def downgrade() -> None:
    for table in (
        "eco_seed_lots",
        "eco_plantings",
        "eco_assessments",
        "eco_crops",
        "eco_crop_plans",
    ):
        op.drop_table(table)

"""recipes tables

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recipes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("recipe_yield", sa.String(length=100), nullable=False),
        sa.Column("servings", sa.Integer(), nullable=True),
        sa.Column("prep_time", sa.String(length=32), nullable=True),
        sa.Column("cook_time", sa.String(length=32), nullable=True),
        sa.Column("total_time", sa.String(length=32), nullable=True),
        sa.Column("cuisine", sa.String(length=100), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("photo_file", sa.String(length=200), nullable=True),
        sa.Column("photo_type", sa.String(length=32), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("origin_place", sa.String(length=200), nullable=False),
        sa.Column("origin_region", sa.String(length=200), nullable=False),
        sa.Column("storytellers", sa.String(length=300), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("credit_text", sa.String(length=300), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("reach", sa.String(length=16), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("season_start", sa.Integer(), nullable=True),
        sa.Column("season_end", sa.Integer(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("view_cache", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["recipes.id"],
            name=op.f("fk_recipes_based_on_id_recipes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_recipes_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_recipes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipes")),
    )
    with op.batch_alter_table("recipes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recipes_based_on_id"), ["based_on_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recipes_community_id"), ["community_id"], unique=False)
        batch_op.create_index("ix_recipes_community_newest", ["community_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recipes_reach"), ["reach"], unique=False)

    op.create_table(
        "recipe_ingredients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.String(length=32), nullable=True),
        sa.Column("quantity_max", sa.String(length=32), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("food", sa.String(length=300), nullable=False),
        sa.Column("food_key", sa.String(length=300), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_recipe_ingredients_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_ingredients_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_ingredients")),
    )
    with op.batch_alter_table("recipe_ingredients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipe_ingredients_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipe_ingredients_food_key"), ["food_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipe_ingredients_recipe_id"), ["recipe_id"], unique=False
        )

    op.create_table(
        "recipe_lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=100), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_recipe_lineage_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_lineage_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recipe_lineage_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_lineage")),
    )
    with op.batch_alter_table("recipe_lineage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipe_lineage_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipe_lineage_recipe_id"), ["recipe_id"], unique=False
        )

    op.create_table(
        "recipe_oral_histories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("narrator", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_on", sa.String(length=32), nullable=False),
        sa.Column("audio_file", sa.String(length=200), nullable=True),
        sa.Column("audio_type", sa.String(length=64), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("consent_by", sa.String(length=200), nullable=False),
        sa.Column("consent_scope", sa.String(length=300), nullable=False),
        sa.Column("consent_on", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_recipe_oral_histories_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_recipe_oral_histories_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_oral_histories_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_oral_histories")),
    )
    with op.batch_alter_table("recipe_oral_histories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipe_oral_histories_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipe_oral_histories_recipe_id"), ["recipe_id"], unique=False
        )

    op.create_table(
        "recipe_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_recipe_tags_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_tags_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_tags")),
        sa.UniqueConstraint(
            "community_id",
            "recipe_id",
            "tag",
            name=op.f("uq_recipe_tags_community_id_recipe_id_tag"),
        ),
    )
    with op.batch_alter_table("recipe_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipe_tags_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recipe_tags_recipe_id"), ["recipe_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recipe_tags_tag"), ["tag"], unique=False)

    op.create_table(
        "recipe_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("ingredients", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("translated_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_recipe_translations_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_translations_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_translations")),
        sa.UniqueConstraint(
            "community_id",
            "recipe_id",
            "language",
            name=op.f("uq_recipe_translations_community_id_recipe_id_language"),
        ),
    )
    with op.batch_alter_table("recipe_translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipe_translations_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipe_translations_recipe_id"), ["recipe_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("recipe_translations")
    op.drop_table("recipe_tags")
    op.drop_table("recipe_oral_histories")
    op.drop_table("recipe_lineage")
    op.drop_table("recipe_ingredients")
    op.drop_table("recipes")

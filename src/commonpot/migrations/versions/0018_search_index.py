"""search index: ingredient search by trigram on PostgreSQL

`recipe_ingredients.food_key` is searched with `LIKE '%key%'`, which a B-tree cannot
answer; on PostgreSQL its index becomes a pg_trgm GIN index (same name). SQLite keeps its
plain index (no change there).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

INDEX = "ix_recipe_ingredients_food_key"
TABLE = "recipe_ingredients"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(
        INDEX,
        TABLE,
        ["food_key"],
        postgresql_using="gin",
        postgresql_ops={"food_key": "gin_trgm_ops"},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, ["food_key"])

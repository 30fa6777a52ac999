"""network: indexes for the sharing page's lists of open offers and needs

The page shows the newest hundred open offers and needs of a community, of one kind of food
when asked, and the kinds there are (`network.offers.open_shown`, `open_categories`): with
these the database reads a hundred index entries instead of every open row of the community.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_network_offers_open", "network_offers", ["community_id", "status", "id"]),
    ("ix_network_offers_open_kind", "network_offers", ["community_id", "status", "category", "id"]),
    ("ix_network_needs_open", "network_needs", ["community_id", "status", "id"]),
    ("ix_network_needs_open_kind", "network_needs", ["community_id", "status", "category", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)

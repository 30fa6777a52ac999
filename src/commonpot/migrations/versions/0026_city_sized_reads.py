"""network, accounts: indexes for a member's own needs and for people by name

A member who is not a steward sees their own open needs on the sharing page, and the kinds
of food among them (`network.offers.open_shown`, `open_categories`): without an index on
whose need it is the database walked every open need of the community (a city's tens of
thousands) for each page. The delegation form lists the first members by name
(`governance.delegation.form_choices`): with the names' index it reads them in order
instead of sorting every member.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_network_needs_own", "network_needs", ["community_id", "user_id", "status", "id"]),
    ("ix_users_display_name", "users", ["display_name", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)

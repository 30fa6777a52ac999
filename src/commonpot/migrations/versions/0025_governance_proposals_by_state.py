"""governance: an index for the governance page's groups of proposals by state

The page shows each state's newest proposals and how many are in it
(`governance.proposals.listed_groups`), and lists one state a hundred at a time
(`listed_page`): with this the database reads a few index entries per state instead of
sorting every proposal the community ever made.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

NAME, TABLE = "ix_gov_proposals_by_state", "gov_proposals"


def upgrade() -> None:
    op.create_index(NAME, TABLE, ["community_id", "state", "number"])


def downgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)

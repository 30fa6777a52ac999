"""proposals: what carrying one out did, as a sentence (message id and parts) to word per reader

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # older proposals keep their English `outcome` only (shown as it is, or translated when
    # it is a known message); the signed ledger is untouched
    with op.batch_alter_table("gov_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome_words", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gov_proposals", schema=None) as batch_op:
        batch_op.drop_column("outcome_words")

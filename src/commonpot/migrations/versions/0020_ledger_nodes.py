"""ledger nodes: the stored interior hashes of each community's Merkle log (O(log n) proofs)

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_BATCH = 10_000


def upgrade() -> None:
    nodes = op.create_table(
        "gov_ledger_nodes",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gov_ledger_nodes_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "community_id", "level", "position", name=op.f("pk_gov_ledger_nodes")
        ),
    )
    assert nodes is not None
    _backfill(op.get_bind(), nodes)


def _backfill(bind: sa.Connection, nodes: sa.Table) -> None:
    """Every complete subtree of every existing ledger, level by level (RFC 9162 hashing)."""
    entries = sa.table(
        "gov_ledger_entries",
        sa.column("community_id", sa.Integer()),
        sa.column("seq", sa.Integer()),
        sa.column("leaf_hash", sa.String()),
    )
    communities = bind.execute(sa.select(entries.c.community_id).distinct()).scalars().all()
    for community_id in communities:
        level = [
            bytes.fromhex(h)
            for h in bind.execute(
                sa.select(entries.c.leaf_hash)
                .where(entries.c.community_id == community_id)
                .order_by(entries.c.seq)
            ).scalars()
        ]
        depth = 0
        while len(level) > 1:
            level = [
                hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
                for i in range(0, len(level) - 1, 2)
            ]
            depth += 1
            for start in range(0, len(level), _BATCH):
                bind.execute(
                    nodes.insert(),
                    [
                        {
                            "community_id": community_id,
                            "level": depth,
                            "position": start + i,
                            "hash": digest.hex(),
                        }
                        for i, digest in enumerate(level[start : start + _BATCH])
                    ],
                )


def downgrade() -> None:
    op.drop_table("gov_ledger_nodes")

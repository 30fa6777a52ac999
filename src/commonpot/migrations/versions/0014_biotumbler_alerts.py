"""biotumbler alerts: stored alert episodes, unknown-device counts, expected intervals,
mergeable rollups, and where a batch's compost went

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "biotumbler_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("started_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("peak", sa.Double(), nullable=True),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_biotumbler_alerts_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["biotumbler_devices.id"],
            name=op.f("fk_biotumbler_alerts_device_id_biotumbler_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biotumbler_alerts")),
        sa.UniqueConstraint(
            "device_id",
            "kind",
            "level",
            "started_at",
            name=op.f("uq_biotumbler_alerts_device_id_kind_level_started_at"),
        ),
    )
    with op.batch_alter_table("biotumbler_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_biotumbler_alerts_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            "ix_biotumbler_alerts_device_open", ["device_id", "ended_at"], unique=False
        )

    op.create_table(
        "biotumbler_unknown_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("first_seen", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_biotumbler_unknown_devices_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biotumbler_unknown_devices")),
        sa.UniqueConstraint(
            "community_id", "device", name=op.f("uq_biotumbler_unknown_devices_community_id_device")
        ),
    )
    with op.batch_alter_table("biotumbler_unknown_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_biotumbler_unknown_devices_community_id"), ["community_id"], unique=False
        )

    with op.batch_alter_table("biotumbler_devices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expected_every_s", sa.Integer(), server_default="1800", nullable=False)
        )
        batch_op.add_column(
            sa.Column("sealed_until", commonpot.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("biotumbler_rollups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("moisture_n", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("oxygen_n", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("biotumbler_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compost_kg", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("delivered_at", commonpot.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("offer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verdict", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_biotumbler_batches_place_id_places"),
            "places",
            ["place_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_biotumbler_batches_offer_id_network_offers"),
            "network_offers",
            ["offer_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("biotumbler_batches", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_biotumbler_batches_offer_id_network_offers"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_biotumbler_batches_place_id_places"), type_="foreignkey"
        )
        batch_op.drop_column("verdict")
        batch_op.drop_column("offer_id")
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("place_id")
        batch_op.drop_column("compost_kg")
    with op.batch_alter_table("biotumbler_rollups", schema=None) as batch_op:
        batch_op.drop_column("oxygen_n")
        batch_op.drop_column("moisture_n")
    with op.batch_alter_table("biotumbler_devices", schema=None) as batch_op:
        batch_op.drop_column("revision")
        batch_op.drop_column("sealed_until")
        batch_op.drop_column("expected_every_s")
    with op.batch_alter_table("biotumbler_unknown_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_biotumbler_unknown_devices_community_id"))
    op.drop_table("biotumbler_unknown_devices")
    with op.batch_alter_table("biotumbler_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_biotumbler_alerts_device_open")
        batch_op.drop_index(batch_op.f("ix_biotumbler_alerts_community_id"))
    op.drop_table("biotumbler_alerts")

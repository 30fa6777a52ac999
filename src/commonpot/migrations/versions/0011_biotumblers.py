"""biotumblers (compost telemetry)

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "biotumbler_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("probes", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("mqtt_state", sa.String(length=16), nullable=False),
        sa.Column("mqtt_state_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_reading_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("last_rejection", sa.String(length=300), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_biotumbler_devices_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biotumbler_devices")),
        sa.UniqueConstraint(
            "community_id", "device", name=op.f("uq_biotumbler_devices_community_id_device")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_biotumbler_devices_token_hash")),
    )
    with op.batch_alter_table("biotumbler_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_biotumbler_devices_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "biotumbler_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("started_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("kitchen_kg", sa.Double(), nullable=False),
        sa.Column("garden_kg", sa.Double(), nullable=False),
        sa.Column("browns_kg", sa.Double(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_biotumbler_batches_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["biotumbler_devices.id"],
            name=op.f("fk_biotumbler_batches_device_id_biotumbler_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biotumbler_batches")),
    )
    with op.batch_alter_table("biotumbler_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_biotumbler_batches_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_biotumbler_batches_device_id"), ["device_id"], unique=False
        )

    op.create_table(
        "biotumbler_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("t", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("temperature_c", sa.JSON(), nullable=False),
        sa.Column("moisture_pct", sa.Double(), nullable=True),
        sa.Column("oxygen_pct", sa.Double(), nullable=True),
        sa.Column("turned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_biotumbler_readings_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["biotumbler_devices.id"],
            name=op.f("fk_biotumbler_readings_device_id_biotumbler_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biotumbler_readings")),
        sa.UniqueConstraint("device_id", "t", name=op.f("uq_biotumbler_readings_device_id_t")),
    )
    with op.batch_alter_table("biotumbler_readings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_biotumbler_readings_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "biotumbler_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("width_s", sa.Integer(), nullable=False),
        sa.Column("start", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("probes", sa.JSON(), nullable=False),
        sa.Column("moisture_pct", sa.Double(), nullable=True),
        sa.Column("oxygen_pct", sa.Double(), nullable=True),
        sa.Column("turned", sa.Boolean(), nullable=False),
        sa.Column("readings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_biotumbler_rollups_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["biotumbler_devices.id"],
            name=op.f("fk_biotumbler_rollups_device_id_biotumbler_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_biotumbler_rollups")),
        sa.UniqueConstraint(
            "device_id",
            "width_s",
            "start",
            name=op.f("uq_biotumbler_rollups_device_id_width_s_start"),
        ),
    )
    with op.batch_alter_table("biotumbler_rollups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_biotumbler_rollups_community_id"), ["community_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("biotumbler_rollups")
    op.drop_table("biotumbler_readings")
    op.drop_table("biotumbler_batches")
    op.drop_table("biotumbler_devices")

"""handovers: the last mile of allocation runs, volunteer slots, named units

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_volunteer_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("route", sa.JSON(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "capacity > 0", name=op.f("ck_network_volunteer_slots_capacity_positive")
        ),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_network_volunteer_slots_slot_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_volunteer_slots_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_network_volunteer_slots_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_volunteer_slots")),
    )
    with op.batch_alter_table("network_volunteer_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_volunteer_slots_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_volunteer_slots_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "network_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("place_note", sa.String(length=200), nullable=False),
        sa.Column("window_start", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_end", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("reallocated_in", sa.Integer(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("picked_up_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handed_over_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_network_handovers_quantity_positive")),
        sa.CheckConstraint(
            "window_end > window_start", name=op.f("ck_network_handovers_window_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["network_assignments.id"],
            name=op.f("fk_network_handovers_assignment_id_network_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_network_handovers_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"],
            ["users.id"],
            name=op.f("fk_network_handovers_donor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["network_needs.id"],
            name=op.f("fk_network_handovers_need_id_network_needs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["network_offers.id"],
            name=op.f("fk_network_handovers_offer_id_network_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reallocated_in"],
            ["network_runs.id"],
            name=op.f("fk_network_handovers_reallocated_in_network_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_network_handovers_recipient_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["network_runs.id"],
            name=op.f("fk_network_handovers_run_id_network_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["users.id"],
            name=op.f("fk_network_handovers_volunteer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_handovers")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_network_handovers_assignment_id")),
    )
    with op.batch_alter_table("network_handovers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_handovers_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            "ix_network_handovers_community_state", ["community_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_handovers_donor_id"), ["donor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_network_handovers_need_id"), ["need_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_network_handovers_offer_id"), ["offer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_handovers_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_network_handovers_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_network_handovers_volunteer_id"), ["volunteer_id"], unique=False
        )

    with op.batch_alter_table("network_needs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit", sa.String(length=20), server_default="portions", nullable=False)
        )

    with op.batch_alter_table("network_offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit", sa.String(length=20), server_default="portions", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("network_offers", schema=None) as batch_op:
        batch_op.drop_column("unit")

    with op.batch_alter_table("network_needs", schema=None) as batch_op:
        batch_op.drop_column("unit")

    with op.batch_alter_table("network_handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_handovers_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_network_handovers_run_id"))
        batch_op.drop_index(batch_op.f("ix_network_handovers_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_network_handovers_offer_id"))
        batch_op.drop_index(batch_op.f("ix_network_handovers_need_id"))
        batch_op.drop_index(batch_op.f("ix_network_handovers_donor_id"))
        batch_op.drop_index("ix_network_handovers_community_state")
        batch_op.drop_index(batch_op.f("ix_network_handovers_community_id"))

    op.drop_table("network_handovers")
    with op.batch_alter_table("network_volunteer_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_volunteer_slots_user_id"))
        batch_op.drop_index(batch_op.f("ix_network_volunteer_slots_community_id"))

    op.drop_table("network_volunteer_slots")

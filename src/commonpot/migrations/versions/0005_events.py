"""events tables

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("location_note", sa.String(length=200), nullable=False),
        sa.Column("starts_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.Column("languages", sa.String(length=120), nullable=False),
        sa.Column("rrule", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("pantry", sa.JSON(), nullable=False),
        sa.Column("posted_needs", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_event_events_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_event_events_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["places.id"],
            name=op.f("fk_event_events_place_id_places"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_events")),
        sa.UniqueConstraint("uid", name=op.f("uq_event_events_uid")),
    )
    with op.batch_alter_table("event_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_events_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            "ix_event_events_community_starts", ["community_id", "starts_at"], unique=False
        )

    op.create_table(
        "event_menu_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("servings_override", sa.Integer(), nullable=True),
        sa.Column("added_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_event_menu_items_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event_events.id"],
            name=op.f("fk_event_menu_items_event_id_event_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_menu_items")),
        sa.UniqueConstraint(
            "community_id",
            "event_id",
            "recipe_id",
            name=op.f("uq_event_menu_items_community_id_event_id_recipe_id"),
        ),
    )
    with op.batch_alter_table("event_menu_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_menu_items_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_menu_items_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "event_pair_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=8), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_event_pair_rules_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event_events.id"],
            name=op.f("fk_event_pair_rules_event_id_event_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_event_pair_rules_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["users.id"],
            name=op.f("fk_event_pair_rules_teacher_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_pair_rules")),
        sa.UniqueConstraint(
            "community_id",
            "event_id",
            "teacher_id",
            "learner_id",
            name=op.f("uq_event_pair_rules_community_id_event_id_teacher_id_learner_id"),
        ),
    )
    with op.batch_alter_table("event_pair_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_pair_rules_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_pair_rules_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "event_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recipes", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("queued_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_event_registrations_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event_events.id"],
            name=op.f("fk_event_registrations_event_id_event_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_event_registrations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_registrations")),
        sa.UniqueConstraint(
            "community_id",
            "event_id",
            "user_id",
            name=op.f("uq_event_registrations_community_id_event_id_user_id"),
        ),
    )
    with op.batch_alter_table("event_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_registrations_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            "ix_event_registrations_queue", ["event_id", "status", "queued_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_registrations_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "event_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_event_sessions_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event_events.id"],
            name=op.f("fk_event_sessions_event_id_event_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sessions")),
        sa.UniqueConstraint(
            "event_id", "starts_at", name=op.f("uq_event_sessions_event_id_starts_at")
        ),
    )
    with op.batch_alter_table("event_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_sessions_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_sessions_event_id"), ["event_id"], unique=False)

    op.create_table(
        "event_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checked_in_by_id"],
            ["users.id"],
            name=op.f("fk_event_attendance_checked_in_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_event_attendance_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event_events.id"],
            name=op.f("fk_event_attendance_event_id_event_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_sessions.id"],
            name=op.f("fk_event_attendance_session_id_event_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_event_attendance_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_attendance")),
        sa.UniqueConstraint(
            "community_id",
            "session_id",
            "user_id",
            name=op.f("uq_event_attendance_community_id_session_id_user_id"),
        ),
    )
    with op.batch_alter_table("event_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_attendance_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_attendance_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_attendance_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("event_attendance")
    op.drop_table("event_sessions")
    op.drop_table("event_registrations")
    op.drop_table("event_pair_rules")
    op.drop_table("event_menu_items")
    op.drop_table("event_events")

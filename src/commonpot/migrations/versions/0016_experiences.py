"""experiences: voices (consent to play, timed transcript), arranged chapters, gatherings

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experience_chapters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=True),
        sa.Column("focus", sa.String(length=16), nullable=True),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_experience_chapters_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_experience_chapters_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recipe_oral_histories.id"],
            name=op.f("fk_experience_chapters_recording_id_recipe_oral_histories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experience_chapters")),
        sa.UniqueConstraint(
            "community_id",
            "recipe_id",
            "position",
            name=op.f("uq_experience_chapters_community_id_recipe_id_position"),
        ),
    )
    with op.batch_alter_table("experience_chapters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experience_chapters_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experience_chapters_recipe_id"), ["recipe_id"], unique=False
        )

    op.create_table(
        "experience_voices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("listeners", sa.String(length=16), nullable=False),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_experience_voices_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recipe_oral_histories.id"],
            name=op.f("fk_experience_voices_recording_id_recipe_oral_histories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_experience_voices_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experience_voices")),
        sa.UniqueConstraint(
            "community_id",
            "recording_id",
            name=op.f("uq_experience_voices_community_id_recording_id"),
        ),
    )
    with op.batch_alter_table("experience_voices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experience_voices_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experience_voices_recording_id"), ["recording_id"], unique=False
        )

    op.create_table(
        "experience_gatherings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("chapter", sa.Integer(), nullable=False),
        sa.Column("audio_s", sa.Float(), nullable=False),
        sa.Column("playing", sa.Boolean(), nullable=False),
        sa.Column("led_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_experience_gatherings_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event_events.id"],
            name=op.f("fk_experience_gatherings_event_id_event_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["users.id"],
            name=op.f("fk_experience_gatherings_host_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_experience_gatherings_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experience_gatherings")),
    )
    with op.batch_alter_table("experience_gatherings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experience_gatherings_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experience_gatherings_recipe_id"), ["recipe_id"], unique=False
        )

    op.create_table(
        "experience_presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("gathering_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("chapter", sa.Integer(), nullable=False),
        sa.Column("seen_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_experience_presence_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gathering_id"],
            ["experience_gatherings.id"],
            name=op.f("fk_experience_presence_gathering_id_experience_gatherings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_experience_presence_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experience_presence")),
        sa.UniqueConstraint(
            "community_id",
            "gathering_id",
            "client",
            name=op.f("uq_experience_presence_community_id_gathering_id_client"),
        ),
    )
    with op.batch_alter_table("experience_presence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experience_presence_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experience_presence_gathering_id"), ["gathering_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experience_presence_seen_at"), ["seen_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("experience_presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experience_presence_seen_at"))
        batch_op.drop_index(batch_op.f("ix_experience_presence_gathering_id"))
        batch_op.drop_index(batch_op.f("ix_experience_presence_community_id"))

    op.drop_table("experience_presence")
    with op.batch_alter_table("experience_gatherings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experience_gatherings_recipe_id"))
        batch_op.drop_index(batch_op.f("ix_experience_gatherings_community_id"))

    op.drop_table("experience_gatherings")

    with op.batch_alter_table("experience_voices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experience_voices_recording_id"))
        batch_op.drop_index(batch_op.f("ix_experience_voices_community_id"))

    op.drop_table("experience_voices")
    with op.batch_alter_table("experience_chapters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experience_chapters_recipe_id"))
        batch_op.drop_index(batch_op.f("ix_experience_chapters_community_id"))

    op.drop_table("experience_chapters")

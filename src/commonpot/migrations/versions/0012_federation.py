"""federation (ActivityPub actors, followers, remote items)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import commonpot.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fed_remote_actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=500), nullable=False),
        sa.Column("key_id", sa.String(length=500), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("inbox", sa.String(length=500), nullable=False),
        sa.Column("shared_inbox", sa.String(length=500), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("fetched_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_remote_actors")),
        sa.UniqueConstraint("actor_id", name=op.f("uq_fed_remote_actors_actor_id")),
    )
    with op.batch_alter_table("fed_remote_actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fed_remote_actors_domain"), ["domain"], unique=False)
        batch_op.create_index(batch_op.f("ix_fed_remote_actors_key_id"), ["key_id"], unique=False)

    op.create_table(
        "fed_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("verb", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("target_inbox", sa.String(length=500), nullable=True),
        sa.Column("fanned_out", sa.Boolean(), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_activities_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_activities")),
    )
    with op.batch_alter_table("fed_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_activities_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fed_activities_fanned_out"), ["fanned_out"], unique=False
        )

    op.create_table(
        "fed_domain_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_domain_blocks_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_domain_blocks")),
        sa.UniqueConstraint(
            "community_id", "domain", name=op.f("uq_fed_domain_blocks_community_id_domain")
        ),
    )
    with op.batch_alter_table("fed_domain_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_domain_blocks_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fed_domain_blocks_domain"), ["domain"], unique=False)

    op.create_table(
        "fed_followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=500), nullable=False),
        sa.Column("inbox", sa.String(length=500), nullable=False),
        sa.Column("shared_inbox", sa.String(length=500), nullable=True),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("follow_id", sa.String(length=500), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_followers_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_followers")),
        sa.UniqueConstraint(
            "community_id", "actor_id", name=op.f("uq_fed_followers_community_id_actor_id")
        ),
    )
    with op.batch_alter_table("fed_followers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_followers_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fed_followers_domain"), ["domain"], unique=False)

    op.create_table(
        "fed_following",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=500), nullable=False),
        sa.Column("handle", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("inbox", sa.String(length=500), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("follow_id", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_following_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_following")),
        sa.UniqueConstraint(
            "community_id", "actor_id", name=op.f("uq_fed_following_community_id_actor_id")
        ),
    )
    with op.batch_alter_table("fed_following", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_following_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fed_following_domain"), ["domain"], unique=False)

    op.create_table(
        "fed_published",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_published_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_published")),
        sa.UniqueConstraint(
            "community_id",
            "kind",
            "local_id",
            name=op.f("uq_fed_published_community_id_kind_local_id"),
        ),
    )
    with op.batch_alter_table("fed_published", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_published_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "fed_remote_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin_actor", sa.String(length=500), nullable=False),
        sa.Column("origin_name", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("starts_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", commonpot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("ingredients", sa.JSON(), nullable=False),
        sa.Column("received_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_fed_remote_items_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_remote_items")),
        sa.UniqueConstraint(
            "community_id", "object_id", name=op.f("uq_fed_remote_items_community_id_object_id")
        ),
    )
    with op.batch_alter_table("fed_remote_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_remote_items_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fed_remote_items_domain"), ["domain"], unique=False)

    op.create_table(
        "fed_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("inbox", sa.String(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", commonpot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["fed_activities.id"],
            name=op.f("fk_fed_deliveries_activity_id_fed_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_deliveries")),
    )
    with op.batch_alter_table("fed_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fed_deliveries_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index("ix_fed_deliveries_due", ["state", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_table("fed_deliveries")
    op.drop_table("fed_remote_items")
    op.drop_table("fed_published")
    op.drop_table("fed_following")
    op.drop_table("fed_followers")
    op.drop_table("fed_domain_blocks")
    op.drop_table("fed_activities")
    op.drop_table("fed_remote_actors")

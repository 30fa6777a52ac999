"""events: the class size for elder–youth pairs (learners per elder) as a column

It was a community setting, `events.learners_per_elder.<event id>`; upgrading copies each
valid value onto its event and removes those keys (values out of 1..20, or for events that
no longer exist, are dropped: the class size reads 1 for them, as it did). Downgrading
writes the sizes other than 1 back as settings.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

PREFIX = "events.learners_per_elder."
MAX_PER_TEACHER = 20  # events.pairing.MAX_PER_TEACHER when this was written

communities = sa.table(
    "communities", sa.column("id", sa.Integer()), sa.column("settings", sa.JSON())
)
events = sa.table(
    "event_events",
    sa.column("id", sa.Integer()),
    sa.column("community_id", sa.Integer()),
    sa.column("learners_per_elder", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("event_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("learners_per_elder", sa.Integer(), server_default="1", nullable=False)
        )
    bind = op.get_bind()
    for community_id, settings in bind.execute(sa.select(communities.c.id, communities.c.settings)):
        if not isinstance(settings, dict) or not any(k.startswith(PREFIX) for k in settings):
            continue
        kept: dict[str, Any] = {}
        for key, value in settings.items():
            if not key.startswith(PREFIX):
                kept[key] = value
                continue
            event_id = key.removeprefix(PREFIX)
            valid = isinstance(value, int) and not isinstance(value, bool)
            if event_id.isdigit() and valid and 1 <= value <= MAX_PER_TEACHER:
                bind.execute(
                    events.update()
                    .where(events.c.id == int(event_id), events.c.community_id == community_id)
                    .values(learners_per_elder=value)
                )
        bind.execute(
            communities.update().where(communities.c.id == community_id).values(settings=kept)
        )


def downgrade() -> None:
    bind = op.get_bind()
    sized = bind.execute(
        sa.select(events.c.community_id, events.c.id, events.c.learners_per_elder)
        .where(events.c.learners_per_elder != 1)
        .order_by(events.c.community_id, events.c.id)
    ).all()
    by_community: dict[int, dict[str, int]] = {}
    for community_id, event_id, size in sized:
        by_community.setdefault(community_id, {})[f"{PREFIX}{event_id}"] = size
    for community_id, sizes in by_community.items():
        settings = bind.execute(
            sa.select(communities.c.settings).where(communities.c.id == community_id)
        ).scalar_one()
        merged = {**(settings if isinstance(settings, dict) else {}), **sizes}
        bind.execute(
            communities.update().where(communities.c.id == community_id).values(settings=merged)
        )
    with op.batch_alter_table("event_events", schema=None) as batch_op:
        batch_op.drop_column("learners_per_elder")

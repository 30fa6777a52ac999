"""What the header of every page shows a signed-in person: their communities and how many of
their notifications are unread, read in one statement.

A composition root, like `app.py` (which hands `read_header` to the foundation's `render`
as `app.state.page_header`): it reads two domains' tables, communities' memberships and
notifications'. Every page a signed-in person opens asks it, so it is one prebuilt
statement of plain rows (no ORM objects), not the two ORM queries it once was (the
memberships, each loaded with its person and community, and the count): about a fifth of
the CPU of a member's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, true
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community, Membership
from commonpot.notifications import Notification


@dataclass(frozen=True, slots=True)
class CommunityLink:
    """A community in the header: where it is and its name."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Header:
    """The header's personal part: the person's communities by name, their unread count."""

    communities: tuple[CommunityLink, ...] = ()
    unread: int = 0


NOBODY = Header()

_UNREAD = (
    select(func.count(Notification.id).label("unread"))
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
    .subquery("unread")
)
_MINE = (
    select(Community.slug, Community.name)
    .join(Membership, Membership.community_id == Community.id)
    .where(Membership.user_id == bindparam("user_id"))
    .subquery("mine")
)
# one row per community of theirs (by name), each with the count; one row with no community
# when they belong to none (the count's one-row subquery, left-joined)
_HEADER = (
    select(_UNREAD.c.unread, _MINE.c.slug, _MINE.c.name)
    .select_from(_UNREAD.outerjoin(_MINE, true()))
    .order_by(_MINE.c.name, _MINE.c.slug)
)


def read_header(session: Session, viewer: Viewer) -> Header:
    """The header of the pages `viewer` reads (`NOBODY`'s, empty, for a visitor)."""
    if viewer.user_id is None:
        return NOBODY
    # through the session's connection: plain rows need none of the ORM's machinery;
    # what the session holds unwritten is flushed first, as its own `execute` would
    session.flush()
    rows = session.connection().execute(_HEADER, {"user_id": viewer.user_id}).all()
    unread = int(rows[0][0] or 0) if rows else 0
    links = tuple(CommunityLink(str(slug), str(name)) for _, slug, name in rows if slug)
    return Header(links, unread)

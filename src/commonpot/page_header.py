"""What the header of every page shows a signed-in person: their communities and how many of
their notifications are unread, read in one statement.

A composition root, like `app.py` (which hands `read_header` to the foundation's `render`
as `app.state.page_header`): it reads two domains' tables, communities' memberships and
notifications'. Every page a signed-in person opens asks it, so it is one prebuilt
statement of plain rows (no ORM objects), not the two ORM queries it once was (the
memberships, each loaded with its person and community, and the count): about a fifth of
the CPU of a member's page. A page read inside a community by a signed-in person reads it
in the very statement that says who they are (`signed_in_scope_and_header`: two columns more
in `communities.access.signed_in_scope`'s row), and `read_header` gives that back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Row, bindparam, func, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from commonpot.accounts import Credential, User, Viewer
from commonpot.communities import Community, Membership
from commonpot.communities.access import signed_in_scope, signed_in_statement
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
    """The header of the pages `viewer` reads (`NOBODY`'s, empty, for a visitor): as this
    unit of work's `signed_in_scope_and_header` read it for them, else read now."""
    if viewer.user_id is None:
        return NOBODY
    kept = session.info.get(_KEPT)
    if kept is not None and kept[0] == viewer.user_id:
        return kept[1]  # type: ignore[no-any-return]
    # through the session's connection: plain rows need none of the ORM's machinery;
    # what the session holds unwritten is flushed first, as its own `execute` would
    session.flush()
    rows = session.connection().execute(_HEADER, {"user_id": viewer.user_id}).all()
    unread = int(rows[0][0] or 0) if rows else 0
    links = tuple(CommunityLink(str(slug), str(name)) for _, slug, name in rows if slug)
    return Header(links, unread)


_KEPT = "commonpot.page_header"  # Session.info: (user id, Header) read with the scope


class _Pairs(FunctionElement[Any]):
    """`[[a, b], ...]` of a group's rows as JSON (in no particular order): PostgreSQL's
    json_agg, SQLite's json_group_array; NULL or [] for no rows."""

    type = JSON()
    name = "pairs"
    inherit_cache = True


@compiles(_Pairs, "postgresql")
def _pairs_postgresql(element: _Pairs, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(_Pairs, "sqlite")
def _pairs_sqlite(element: _Pairs, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


# the header's two parts as columns of the signed-in statement's row, for its user
_THEIRS, _COMMUNITY = aliased(Membership), aliased(Community)
_HEADER_COLUMNS = (
    select(func.count(Notification.id))
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate(User)
    .scalar_subquery()
    .label("unread"),
    select(_Pairs(_COMMUNITY.slug, _COMMUNITY.name))
    .select_from(_THEIRS)
    .join(_COMMUNITY, _COMMUNITY.id == _THEIRS.community_id)
    .where(_THEIRS.user_id == User.id)
    .correlate(User)
    .scalar_subquery()
    .label("mine"),
)
_WITH_HEADER = {
    via_token: signed_in_statement(via_token).add_columns(*_HEADER_COLUMNS)
    for via_token in (True, False)
}


def signed_in_scope_and_header(
    session: Session, slug: str, credential: Credential
) -> tuple[Viewer, Community, Membership | None]:
    """`communities.access.signed_in_scope` for a page: the same answer, from the same one
    statement, which also reads the header of the person it names (kept in the unit of work
    for `read_header`): one statement fewer for every page a member reads."""

    def keep(row: Row[Any]) -> None:
        unread, mine = row._mapping["unread"], row._mapping["mine"]
        if isinstance(mine, str):  # a driver that leaves JSON as text
            mine = json.loads(mine)
        links = sorted(
            (CommunityLink(str(slug), str(name)) for slug, name in (mine or ())),
            key=lambda link: (link.name, link.slug),
        )
        session.info[_KEPT] = (row[0].id, Header(tuple(links), int(unread or 0)))

    return signed_in_scope(session, slug, credential, _WITH_HEADER, keep)

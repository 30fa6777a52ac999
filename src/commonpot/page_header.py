"""What the header of every page shows a signed-in person: their communities and how many of
their notifications are unread, read in one statement.

A composition root, like `app.py` (which hands `read_header` to the foundation's `render`
as `app.state.page_header`): it reads two domains' tables, communities' memberships and
notifications'. Its two parts are two columns of a statement about one person
(`_HEADER_COLUMNS`): a page read inside a community by a signed-in person reads them in the
very statement that says who they are (`signed_in_scope_and_header`, two columns more in
`communities.access.signed_in_scope`'s row), which `read_header` gives back; any other page
reads them alone, in one statement of plain rows. They were two ORM queries (the
memberships, each loaded with its person and community, and the count): about a fifth of
the CPU of a member's page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Row, RowMapping, bindparam, func, select
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


# the header's two parts as columns of a statement about one user (`User`): their unread
# count, and their communities as [[slug, name], ...]
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
# read on its own (a page outside a community, or read without the signed-in statement)
_HEADER = select(*_HEADER_COLUMNS).where(User.id == bindparam("user_id"))
# read with who is asking, the community and their membership (`signed_in_scope`)
_WITH_HEADER = {
    via_token: signed_in_statement(via_token).add_columns(*_HEADER_COLUMNS)
    for via_token in (True, False)
}


def _header_of(row: RowMapping) -> Header:
    """The header from a row holding `_HEADER_COLUMNS`: communities by name, then address."""
    mine = row["mine"]
    if isinstance(mine, str):  # a driver that leaves JSON as text
        mine = json.loads(mine)
    links = sorted(
        (CommunityLink(str(slug), str(name)) for slug, name in (mine or ())),
        key=lambda link: (link.name, link.slug),
    )
    return Header(tuple(links), int(row["unread"] or 0))


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
    row = session.connection().execute(_HEADER, {"user_id": viewer.user_id}).first()
    return NOBODY if row is None else _header_of(row._mapping)


def signed_in_scope_and_header(
    session: Session, slug: str, credential: Credential
) -> tuple[Viewer, Community, Membership | None]:
    """`communities.access.signed_in_scope` for a page: the same answer, from the same one
    statement, which also reads the header of the person it names (kept in the unit of work
    for `read_header`): one statement fewer for every page a member reads."""

    def keep(row: Row[Any]) -> None:
        session.info[_KEPT] = (row[0].id, _header_of(row._mapping))

    return signed_in_scope(session, slug, credential, _WITH_HEADER, keep)

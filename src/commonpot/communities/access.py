"""Who may read a community and who belongs to it.

Every domain decides access through `readable_community`, `require_member` and
`require_role`, so the rule "a private community does not exist for outsiders" lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import Session, lazyload

from commonpot.accounts import Credential, User, Viewer
from commonpot.communities.models import (
    Community,
    Membership,
    Role,
    Visibility,
)
from commonpot.db import READ_ONLY
from commonpot.errors import Forbidden, NotFound, Unauthenticated
from commonpot.paging import EVERY_ROW, Page, Window, read_page
from commonpot.tenancy import select_scoped


def membership(session: Session, community: Community, viewer: Viewer) -> Membership | None:
    """The viewer's membership of the community, if any.

    Asked by most domains' access checks, several times in one request; in a read unit of
    work (`db.READ_ONLY`: nothing it does is kept, so the answer cannot change within it)
    it is read once, or not at all when the request's scope already read it."""
    if viewer.user is None:
        return None
    known = _known(session)
    if known is None:
        return find_member(session, community, viewer.user.id)
    key = (community.id, viewer.user.id)
    if key not in known:
        known[key] = find_member(session, community, viewer.user.id)
    return known[key]


_KNOWN = "commonpot.memberships"  # Session.info key: (community id, user id) -> membership


def _known(session: Session) -> dict[tuple[int, int], Membership | None] | None:
    """The memberships a read-only session has read (None for a session that may write)."""
    if not session.info.get(READ_ONLY):
        return None
    known: dict[tuple[int, int], Membership | None] = session.info.setdefault(_KNOWN, {})
    return known


def _remember(session: Session, community: Community, user: User, found: Membership | None) -> None:
    known = _known(session)
    if known is not None:
        known[(community.id, user.id)] = found


# looked up for every signed-in request, often twice: built once (see _BY_SLUG below)
_MEMBER = select(Membership).where(
    Membership.community_id == bindparam("community_id"),
    Membership.user_id == bindparam("user_id"),
)


def find_member(session: Session, community: Community, user_id: int) -> Membership | None:
    """The person's membership of the community, if any."""
    values = {"community_id": community.id, "user_id": user_id}
    found: Membership | None = session.scalar(_MEMBER, values)
    return found


def can_read(session: Session, community: Community, viewer: Viewer) -> bool:
    """Public communities are readable by anyone; private ones by members and admins."""
    return _open_to(community, viewer) or membership(session, community, viewer) is not None


def _open_to(community: Community, viewer: Viewer) -> bool:
    """Readable without a membership: public, or the viewer runs the instance."""
    return community.is_public or viewer.is_admin


# every request starts with this lookup: one statement object, built once per process, so
# SQLAlchemy neither rebuilds it nor recomputes its cache key (85 -> 50 us a call)
_BY_SLUG = select(Community).where(Community.slug == bindparam("slug"))


# a signed-in reader's community and membership in one statement (one round trip where
# there were two or three: the community, its membership to read a private one, and the
# membership again for the request's scope)
_WITH_MEMBER = (
    select(Community, Membership)
    .outerjoin(
        Membership,
        (Membership.community_id == Community.id) & (Membership.user_id == bindparam("user_id")),
    )
    .where(Community.slug == bindparam("slug"))
)


def readable_community(session: Session, slug: str, viewer: Viewer) -> Community:
    """The community by slug, or NotFound when it is absent or hidden from the viewer."""
    return community_and_membership(session, slug, viewer)[0]


def community_and_membership(
    session: Session, slug: str, viewer: Viewer
) -> tuple[Community, Membership | None]:
    """`readable_community` and the viewer's `membership` of it, read together."""
    if viewer.user is None:
        community = session.execute(_BY_SLUG, {"slug": slug}).scalar()
        found = None
    else:
        row = session.execute(_WITH_MEMBER, {"slug": slug, "user_id": viewer.user.id}).first()
        community, found = (None, None) if row is None else (row[0], row[1])
        if community is not None:
            _remember(session, community, viewer.user, found)
    return _readable(slug, community, viewer, found), found


def _readable(
    slug: str, community: Community | None, viewer: Viewer, mine: Membership | None
) -> Community:
    """The community found for `slug`, when the viewer may read it; NotFound otherwise (a
    private community does not exist for outsiders)."""
    if community is None or not (_open_to(community, viewer) or mine is not None):
        raise NotFound("No community '%(slug)s' here.", slug=slug)
    return community


def _with_community(credential: Select[User, datetime | None]) -> Select[Any]:
    """A credential's statement (accounts) joined to the community `slug` and the
    credential's user's membership of it."""
    return (
        credential.add_columns(Community, Membership)
        .outerjoin(Community, Community.slug == bindparam("slug"))
        .outerjoin(
            Membership,
            (Membership.community_id == Community.id) & (Membership.user_id == User.id),
        )
        # the membership's person and community are this row's own: not joined again
        .options(lazyload(Membership.user), lazyload(Membership.community))
    )


# built once per process (see _BY_SLUG), one for each kind of credential
_SIGNED_IN = {
    via_token: _with_community(Credential.statement_for(via_token)) for via_token in (True, False)
}


def signed_in_statement(via_token: bool) -> Select[Any]:
    """The statement `signed_in_scope` runs for a kind of credential (columns: the user, when
    the credential ends, the community, the membership; bound: the credential's and `slug`),
    for a composition root to read more beside it in the same round trip (`add_columns`, as
    `commonpot.page_header` does)."""
    return _SIGNED_IN[via_token]


def signed_in_scope(
    session: Session,
    slug: str,
    credential: Credential,
    statements: Mapping[bool, Select[Any]] = _SIGNED_IN,
    held: Callable[[Row[Any]], None] | None = None,
) -> tuple[Viewer, Community, Membership | None]:
    """Who is asking with `credential`, the community `slug` as they may see it (NotFound
    otherwise) and their membership of it: `identify` and `community_and_membership` in one
    statement, one round trip where there were two (every signed-in request inside a
    community starts here). The same rules: a token that does not hold is refused, a cookie
    that does not hold reads as a visitor's.

    `statements`: `signed_in_statement`'s, each with more columns after its own; `held` is
    given the row when the credential holds (and only then)."""
    row = session.execute(statements[credential.via_token], {**credential.params, "slug": slug})
    found = row.first()
    viewer = credential.viewer(found)
    if found is None or viewer.user is None:
        return viewer, *community_and_membership(session, slug, viewer)
    if held is not None:
        held(found)
    community, mine = found[2], found[3]
    if community is not None:
        _remember(session, community, viewer.user, mine)
    return viewer, _readable(slug, community, viewer, mine), mine


def community_by_id(session: Session, community_id: int) -> Community:
    """The community a background job works for, by id (NotFound once it is gone)."""
    found = session.get(Community, community_id)
    if found is None:
        raise NotFound("The community is gone.")
    return found


def require_member(session: Session, community: Community, viewer: Viewer) -> Membership:
    """The viewer's membership, or an error saying what is needed."""
    if viewer.user is None:
        raise Unauthenticated("Sign in as a member of this community first.")
    found = membership(session, community, viewer)
    if found is None:
        if not community.is_public and not viewer.is_admin:
            raise NotFound("No community '%(slug)s' here.", slug=community.slug)
        raise Forbidden("Only members of this community can do this.")
    return found


def require_role(
    session: Session, community: Community, viewer: Viewer, *roles: Role
) -> Membership:
    """The viewer's membership when it has one of the roles, else Forbidden."""
    found = require_member(session, community, viewer)
    if found.role not in {r.value for r in roles}:
        raise _only(roles)
    return found


def _only(roles: tuple[Role, ...]) -> Forbidden:
    """The refusal naming the roles that may, one whole sentence per case (translatable)."""
    wanted = set(roles)
    if wanted == {Role.STEWARD}:
        return Forbidden("Only a steward of this community can do this.")
    if wanted == {Role.CUSTODIAN}:
        return Forbidden("Only a custodian of this community can do this.")
    if wanted == {Role.MEMBER}:
        return Forbidden("Only a member of this community can do this.")
    if wanted == {Role.STEWARD, Role.CUSTODIAN}:
        if roles[0] is Role.CUSTODIAN:
            return Forbidden("Only a custodian or steward of this community can do this.")
        return Forbidden("Only a steward or custodian of this community can do this.")
    return Forbidden("Your role in this community cannot do this.")


def visible_communities(session: Session, viewer: Viewer) -> list[Community]:
    """Communities the viewer may read: all public ones plus those they belong to."""
    query = select(Community).order_by(Community.name)
    if not viewer.is_admin:
        mine = select(Membership.community_id).where(Membership.user_id == viewer.user_id)
        query = query.where(
            (Community.visibility == Visibility.PUBLIC.value) | Community.id.in_(mine)
        )
    return list(session.scalars(query))


def my_memberships(session: Session, viewer: Viewer) -> list[Membership]:
    """The viewer's memberships, by community name."""
    if viewer.user is None:
        return []
    return list(
        session.scalars(
            select(Membership)
            .join(Community)
            .where(Membership.user_id == viewer.user.id)
            .order_by(Community.name)
        )
    )


def members(
    session: Session, community: Community, viewer: Viewer, window: Window = EVERY_ROW
) -> list[Membership]:
    """The member list; only members see it (people's names are theirs to share); those
    in `window`."""
    return list(session.scalars(window.of(_members(session, community, viewer))))


def _members(session: Session, community: Community, viewer: Viewer) -> Select[Membership]:
    """`members`' statement (stewards first, then by name), once the viewer may read it."""
    if not viewer.is_admin:
        require_member(session, community, viewer)
    return (
        select_scoped(Membership, community.id)
        .join(User)
        .order_by(Membership.role.desc(), User.display_name, Membership.id)
    )


MEMBERS_SHOWN = 100  # members the members page lists at once


def members_shown(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    name: str | None = None,
    offset: int = 0,
    limit: int = MEMBERS_SHOWN,
) -> Page:
    """A page of `members` (the same rule and order), of those whose name holds `name` when
    given (any case), and how many there are: a city's mutual-aid group has thousands."""
    query = _members(session, community, viewer)
    if name:
        query = query.where(func.lower(User.display_name).contains(name.lower(), autoescape=True))
    return read_page(session, query, offset, limit, scalars=True)


def member_count(session: Session, community: Community) -> int:
    """How many members the community has."""
    return int(session.scalar(_MEMBER_COUNT, {"community_id": community.id}) or 0)


# every community's home page asks: built once per process
_MEMBER_COUNT = select(func.count(Membership.id)).where(
    Membership.community_id == bindparam("community_id")
)

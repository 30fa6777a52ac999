"""Communities use cases: who may read what, membership and roles, invitations, places.

Every domain decides access through `readable_community`, `require_member` and
`require_role`, so the rule "a private community does not exist for outsiders" lives here.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from commonpot import signals
from commonpot.accounts import security
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer, create_user
from commonpot.communities.models import (
    Community,
    Invitation,
    Membership,
    Place,
    PlaceKind,
    Role,
    Visibility,
)
from commonpot.communities.signals import Invited, RoleChanged
from commonpot.db import utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
INVITE_DAYS = 14


# --- reading -------------------------------------------------------------------------------


def membership(session: Session, community: Community, viewer: Viewer) -> Membership | None:
    """The viewer's membership of the community, if any."""
    if viewer.user is None:
        return None
    return session.scalar(
        select(Membership).where(
            Membership.community_id == community.id, Membership.user_id == viewer.user.id
        )
    )


def can_read(session: Session, community: Community, viewer: Viewer) -> bool:
    """Public communities are readable by anyone; private ones by members and admins."""
    if community.is_public or viewer.is_admin:
        return True
    return membership(session, community, viewer) is not None


def readable_community(session: Session, slug: str, viewer: Viewer) -> Community:
    """The community by slug, or NotFound when it is absent or hidden from the viewer."""
    community = session.scalar(select(Community).where(Community.slug == slug))
    if community is None or not can_read(session, community, viewer):
        raise NotFound(f"No community '{slug}' here.")
    return community


def require_member(session: Session, community: Community, viewer: Viewer) -> Membership:
    """The viewer's membership, or an error saying what is needed."""
    if viewer.user is None:
        raise Unauthenticated("Sign in as a member of this community first.")
    found = membership(session, community, viewer)
    if found is None:
        if not community.is_public and not viewer.is_admin:
            raise NotFound(f"No community '{community.slug}' here.")
        raise Forbidden("Only members of this community can do this.")
    return found


def require_role(
    session: Session, community: Community, viewer: Viewer, *roles: Role
) -> Membership:
    """The viewer's membership when it has one of the roles, else Forbidden."""
    found = require_member(session, community, viewer)
    if found.role not in {r.value for r in roles}:
        names = " or ".join(r.value for r in roles)
        raise Forbidden(f"Only a {names} of this community can do this.")
    return found


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


def my_communities(session: Session, viewer: Viewer) -> list[Community]:
    """The communities the viewer belongs to (for the page header)."""
    return [m.community for m in my_memberships(session, viewer)]


def members(session: Session, community: Community, viewer: Viewer) -> list[Membership]:
    """The member list; only members see it (people's names are theirs to share)."""
    if not viewer.is_admin:
        require_member(session, community, viewer)
    return list(
        session.scalars(
            select(Membership)
            .join(User)
            .where(Membership.community_id == community.id)
            .order_by(Membership.role.desc(), User.display_name)
        )
    )


def member_count(session: Session, community: Community) -> int:
    """How many members the community has."""
    return int(
        session.scalar(
            select(func.count(Membership.id)).where(Membership.community_id == community.id)
        )
        or 0
    )


# --- communities ---------------------------------------------------------------------------


def check_slug(slug: str) -> str:
    """A URL-safe community slug."""
    value = slug.strip().lower()
    if not SLUG_RE.match(value):
        raise Invalid(
            "Use 1-60 lower-case letters, digits and dashes (not at the ends) for the slug.",
            field="slug",
        )
    return value


def check_coordinates(lat: float | None, lon: float | None) -> None:
    """Latitude in [-90, 90] and longitude in [-180, 180], both or neither."""
    if (lat is None) != (lon is None):
        raise Invalid("Give both latitude and longitude, or neither.", field="lat")
    if lat is not None and (not math.isfinite(lat) or not -90 <= lat <= 90):
        raise Invalid("Latitude must be between -90 and 90.", field="lat")
    if lon is not None and (not math.isfinite(lon) or not -180 <= lon <= 180):
        raise Invalid("Longitude must be between -180 and 180.", field="lon")


def create_community(
    session: Session,
    viewer: Viewer,
    *,
    slug: str,
    name: str,
    description: str = "",
    location: str = "",
    lat: float | None = None,
    lon: float | None = None,
    visibility: str = "public",
    steward: User | None = None,
) -> Community:
    """Create a community (instance admins only); the steward given (or the creator) runs it."""
    if not viewer.is_admin:
        raise Forbidden("Only an instance administrator can create communities.")
    value = check_slug(slug)
    title = name.strip()
    if not title or len(title) > 120:
        raise Invalid("Give the community a name of 1 to 120 characters.", field="name")
    if visibility not in {v.value for v in Visibility}:
        raise Invalid("Visibility is 'public' or 'private'.", field="visibility")
    check_coordinates(lat, lon)
    if session.scalar(select(Community.id).where(Community.slug == value)) is not None:
        raise Conflict(f"The slug '{value}' is taken; choose another.", field="slug")
    community = Community(
        slug=value,
        name=title,
        description=description.strip(),
        location=location.strip(),
        lat=lat,
        lon=lon,
        visibility=visibility,
        settings={},
    )
    session.add(community)
    session.flush()
    first = steward or viewer.user
    if first is not None:
        session.add(Membership(community_id=community.id, user_id=first.id, role=Role.STEWARD))
        session.flush()
    return community


def update_community(
    session: Session, community: Community, viewer: Viewer, changes: dict[str, Any]
) -> Community:
    """Change a community's profile (stewards)."""
    require_role(session, community, viewer, Role.STEWARD)
    if "name" in changes:
        title = str(changes["name"]).strip()
        if not title or len(title) > 120:
            raise Invalid("Give the community a name of 1 to 120 characters.", field="name")
        community.name = title
    if "visibility" in changes:
        if changes["visibility"] not in {v.value for v in Visibility}:
            raise Invalid("Visibility is 'public' or 'private'.", field="visibility")
        community.visibility = changes["visibility"]
    for key in ("description", "location"):
        if key in changes:
            setattr(community, key, str(changes[key]).strip())
    if "lat" in changes or "lon" in changes:
        lat, lon = changes.get("lat", community.lat), changes.get("lon", community.lon)
        check_coordinates(lat, lon)
        community.lat, community.lon = lat, lon
    session.flush()
    return community


def set_setting(session: Session, community: Community, key: str, value: Any) -> None:
    """Change one community setting (used by stewards and by executed proposals)."""
    if not re.fullmatch(r"[a-z][a-z0-9_.]{0,60}", key):
        raise Invalid("Setting names are lower-case words joined by _ or .", field="key")
    community.settings = {**(community.settings or {}), key: value}
    session.flush()


def change_role(
    session: Session, community: Community, viewer: Viewer, user_id: int, role: str
) -> Membership:
    """Give a member another role (stewards); the last steward cannot step down."""
    require_role(session, community, viewer, Role.STEWARD)
    if role not in {r.value for r in Role}:
        raise Invalid("Role is member, steward or custodian.", field="role")
    target = session.scalar(
        select(Membership).where(
            Membership.community_id == community.id, Membership.user_id == user_id
        )
    )
    if target is None:
        raise NotFound("That person is not a member.")
    if target.role == Role.STEWARD and role != Role.STEWARD:
        _keep_one_steward(session, community)
    target.role = role
    session.flush()
    signals.emit(session, RoleChanged(community.id, user_id, role))
    return target


def _keep_one_steward(session: Session, community: Community) -> None:
    stewards = session.scalar(
        select(func.count(Membership.id)).where(
            Membership.community_id == community.id, Membership.role == Role.STEWARD.value
        )
    )
    if (stewards or 0) <= 1:
        raise Conflict("A community needs at least one steward; appoint another one first.")


def remove_member(session: Session, community: Community, viewer: Viewer, user_id: int) -> None:
    """Remove a member (stewards), or leave (anyone, for themself)."""
    if viewer.user_id != user_id:
        require_role(session, community, viewer, Role.STEWARD)
    target = session.scalar(
        select(Membership).where(
            Membership.community_id == community.id, Membership.user_id == user_id
        )
    )
    if target is None:
        raise NotFound("That person is not a member.")
    if target.role == Role.STEWARD:
        _keep_one_steward(session, community)
    session.delete(target)
    session.flush()


def add_member(
    session: Session, community: Community, user: User, role: str = "member"
) -> Membership:
    """Make a person a member (used by invitations, the CLI, demo data and proposals)."""
    if role not in {r.value for r in Role}:
        raise Invalid("Role is member, steward or custodian.", field="role")
    existing = session.scalar(
        select(Membership).where(
            Membership.community_id == community.id, Membership.user_id == user.id
        )
    )
    if existing is not None:
        raise Conflict(f"{user.display_name} is already a member of {community.name}.")
    found = Membership(community_id=community.id, user_id=user.id, role=role)
    session.add(found)
    session.flush()
    return found


# --- invitations ---------------------------------------------------------------------------


def create_invitation(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    role: str = "member",
    email: str | None = None,
    note: str = "",
    days: int = INVITE_DAYS,
) -> tuple[Invitation, str]:
    """A steward invites someone; returns the invitation and its one-time token."""
    if not viewer.is_admin:
        require_role(session, community, viewer, Role.STEWARD)
    if role not in {r.value for r in Role}:
        raise Invalid("Role is member, steward or custodian.", field="role")
    if not 1 <= days <= 90:
        raise Invalid("An invitation lasts 1 to 90 days.", field="days")
    address = email.strip().lower() if email and email.strip() else None
    if address is not None and ("@" not in address or len(address) > 254):
        raise Invalid("Enter a valid e-mail address, or leave it empty.", field="email")
    token = security.new_token()
    invitation = Invitation(
        community_id=community.id,
        token_hash=security.token_hash(token),
        role=role,
        email=address,
        note=note.strip()[:200],
        created_by_id=viewer.user_id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    if address is not None:
        signals.emit(session, Invited(community.id, invitation.id, address, role))
    return invitation, token


def open_invitation(session: Session, token: str) -> Invitation:
    """The invitation behind a link, if it is still usable."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == security.token_hash(token))
    )
    if invitation is None:
        raise NotFound("This invitation link is not valid. Ask a steward for a new one.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used. Ask a steward for a new one.")
    if invitation.expires_at < utcnow():
        raise Conflict("This invitation has expired. Ask a steward for a new one.")
    return invitation


def accept_invitation(session: Session, token: str, user: User) -> Membership:
    """Join the community of an invitation as the given person."""
    invitation = open_invitation(session, token)
    if invitation.email and invitation.email != user.email:
        raise Forbidden("This invitation was made for another e-mail address.")
    # claim the invitation with one conditional UPDATE so two racers cannot both use it
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This invitation has already been used. Ask a steward for a new one.")
    found = add_member(session, invitation.community, user, invitation.role)
    session.refresh(invitation)
    return found


def sign_up_with_invitation(
    session: Session,
    token: str,
    *,
    email: str,
    display_name: str,
    password: str,
    birth_year: int | None = None,
) -> tuple[User, Membership]:
    """Create an account from an invitation link and join its community."""
    invitation = open_invitation(session, token)
    if invitation.email and invitation.email != email.strip().lower():
        raise Invalid("Use the e-mail address this invitation was made for.", field="email")
    user = create_user(
        session, email=email, display_name=display_name, password=password, birth_year=birth_year
    )
    return user, accept_invitation(session, token, user)


def pending_invitations(session: Session, community: Community, viewer: Viewer) -> list[Invitation]:
    """Unused, unexpired invitations (stewards)."""
    require_role(session, community, viewer, Role.STEWARD)
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.community_id == community.id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at >= utcnow(),
            )
            .order_by(Invitation.id.desc())
        )
    )


def revoke_invitation(
    session: Session, community: Community, viewer: Viewer, invitation_id: int
) -> None:
    """Withdraw an invitation (stewards)."""
    require_role(session, community, viewer, Role.STEWARD)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.community_id != community.id:
        raise NotFound("No such invitation.")
    session.delete(invitation)
    session.flush()


# --- places --------------------------------------------------------------------------------


def places(session: Session, community: Community, kind: str | None = None) -> list[Place]:
    """The community's places (the caller has already checked it may read the community)."""
    query = select(Place).where(Place.community_id == community.id)
    if kind:
        query = query.where(Place.kind == kind)
    return list(session.scalars(query.order_by(Place.name)))


def get_place(session: Session, community: Community, place_id: int) -> Place:
    """One place of the community, or NotFound."""
    place = session.get(Place, place_id)
    if place is None or place.community_id != community.id:
        raise NotFound("No such place in this community.")
    return place


def _check_place_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name or len(name) > 120:
            raise Invalid("Give the place a name of 1 to 120 characters.", field="name")
        out["name"] = name
    if "kind" in fields:
        if fields["kind"] not in {k.value for k in PlaceKind}:
            kinds = ", ".join(k.value for k in PlaceKind)
            raise Invalid(f"Kind is one of: {kinds}.", field="kind")
        out["kind"] = fields["kind"]
    if "lat" in fields or "lon" in fields:
        lat, lon = fields.get("lat"), fields.get("lon")
        if lat is None or lon is None:
            raise Invalid(
                "Put the place on the map: latitude and longitude are needed.", field="lat"
            )
        check_coordinates(float(lat), float(lon))
        out["lat"], out["lon"] = float(lat), float(lon)
    for key, limit in (("area_m2", 1e9), ("population", 1e9)):
        if fields.get(key) is not None:
            value = float(fields[key])
            if not math.isfinite(value) or not 0 <= value <= limit:
                raise Invalid(f"{key} must be a non-negative number.", field=key)
            out[key] = int(value) if key == "population" else value
    for key in ("description", "climate_class"):
        if key in fields and fields[key] is not None:
            out[key] = str(fields[key]).strip()
    return out


def create_place(
    session: Session, community: Community, viewer: Viewer, fields: dict[str, Any]
) -> Place:
    """Add a place to the community's map (members)."""
    member = require_member(session, community, viewer)
    data = _check_place_fields({"kind": "site", **fields})
    if "name" not in data or "lat" not in data:
        raise Invalid("A place needs a name and a position on the map.", field="name")
    duplicate = session.scalar(
        select(Place.id).where(Place.community_id == community.id, Place.name == data["name"])
    )
    if duplicate is not None:
        raise Conflict(f"There is already a place called '{data['name']}'.", field="name")
    place = Place(community_id=community.id, created_by_id=member.user_id, **data)
    session.add(place)
    session.flush()
    return place


def update_place(
    session: Session, community: Community, viewer: Viewer, place_id: int, fields: dict[str, Any]
) -> Place:
    """Change a place (its creator or a steward)."""
    member = require_member(session, community, viewer)
    place = get_place(session, community, place_id)
    if member.role != Role.STEWARD and place.created_by_id != member.user_id:
        raise Forbidden("Only a steward or the person who added this place can change it.")
    data = _check_place_fields(fields)
    if "name" in data and data["name"] != place.name:
        duplicate = session.scalar(
            select(Place.id).where(Place.community_id == community.id, Place.name == data["name"])
        )
        if duplicate is not None:
            raise Conflict(f"There is already a place called '{data['name']}'.", field="name")
    for key, value in data.items():
        setattr(place, key, value)
    session.flush()
    return place


def delete_place(session: Session, community: Community, viewer: Viewer, place_id: int) -> None:
    """Remove a place (stewards)."""
    require_role(session, community, viewer, Role.STEWARD)
    place = get_place(session, community, place_id)
    session.delete(place)
    session.flush()

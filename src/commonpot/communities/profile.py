"""Starting a community and changing its profile and settings."""

from __future__ import annotations

import math
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts import User, Viewer
from commonpot.communities.access import require_role
from commonpot.communities.models import (
    Community,
    Membership,
    Role,
    Visibility,
)
from commonpot.errors import Conflict, Forbidden, Invalid

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


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
        raise Conflict("The slug '%(slug)s' is taken; choose another.", field="slug", slug=value)
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


TIMEZONE_SETTING = "timezone"


def check_timezone(name: str) -> str:
    """An IANA time zone name (Europe/London, America/Mexico_City) or Invalid."""
    text = str(name).strip()
    if not text or len(text) > 60 or text.startswith(("/", ".")) or ".." in text:
        raise Invalid("timezone: an IANA time zone such as Europe/London", field="timezone")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            "timezone: unknown time zone %(zone)s (for example Europe/London)",
            field="timezone",
            zone=repr(text),
        ) from None
    return text


def timezone_of(community: Community, default: str = "UTC") -> str:
    """The community's time zone (where its pickups and meetings happen), or `default`."""
    chosen = (community.settings or {}).get(TIMEZONE_SETTING)
    if isinstance(chosen, str) and chosen:
        try:
            return check_timezone(chosen)
        except Invalid:
            pass
    try:
        return check_timezone(default)
    except Invalid:
        return "UTC"


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
    if changes.get("timezone"):
        zone = check_timezone(str(changes["timezone"]))
        community.settings = {**(community.settings or {}), TIMEZONE_SETTING: zone}
    session.flush()
    return community


def set_setting(session: Session, community: Community, key: str, value: Any) -> None:
    """Change one community setting (used by stewards and by executed proposals)."""
    if not re.fullmatch(r"[a-z][a-z0-9_.]{0,60}", key):
        raise Invalid("Setting names are lower-case words joined by _ or .", field="key")
    community.settings = {**(community.settings or {}), key: value}
    session.flush()

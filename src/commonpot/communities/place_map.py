"""Places on a community's map: gardens, kitchens, markets, sites."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts.service import Viewer
from commonpot.communities.access import require_member, require_role
from commonpot.communities.models import (
    Community,
    Place,
    PlaceKind,
    Role,
)
from commonpot.communities.profile import check_coordinates
from commonpot.errors import Conflict, Forbidden, Invalid
from commonpot.tenancy import get_scoped, select_scoped


def places(session: Session, community: Community, kind: str | None = None) -> list[Place]:
    """The community's places (the caller has already checked it may read the community)."""
    query = select_scoped(Place, community.id)
    if kind:
        query = query.where(Place.kind == kind)
    return list(session.scalars(query.order_by(Place.name)))


def get_place(session: Session, community: Community, place_id: int) -> Place:
    """One place of the community, or NotFound."""
    return get_scoped(
        session, Place, place_id, community.id, missing="No such place in this community."
    )


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
    duplicate = session.scalar(select_scoped(Place, community.id).where(Place.name == data["name"]))
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
            select_scoped(Place, community.id).where(Place.name == data["name"])
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

"""Places on a community's map: gardens, kitchens, markets, sites."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities.access import require_member, require_role
from commonpot.communities.models import (
    Community,
    Place,
    Role,
)
from commonpot.communities.schemas import PlaceIn, PlacePatch
from commonpot.errors import N_, Conflict, Forbidden
from commonpot.tenancy import get_scoped, select_scoped


def places(session: Session, community: Community, kind: str | None = None) -> list[Place]:
    """The community's places (the caller has already checked it may read the community)."""
    if not kind:  # the common case (every events page): one statement built per process
        return list(session.scalars(_ALL_PLACES, {"community_id": community.id}))
    query = select_scoped(Place, community.id).where(Place.kind == kind)
    return list(session.scalars(query.order_by(Place.name)))


_ALL_PLACES = (
    select(Place).where(Place.community_id == bindparam("community_id")).order_by(Place.name)
)


class PlaceChoice(NamedTuple):
    """A place as a form offers it: its number, name and kind."""

    id: int
    name: str
    kind: str


def place_choices(session: Session, community: Community) -> list[PlaceChoice]:
    """`places`, only what a form's choice of place shows (plain rows, by name): the events
    page's flash form asks it on every read by someone who may call one."""
    rows = session.execute(_CHOICES, {"community_id": community.id})
    return [PlaceChoice._make(row) for row in rows]


_CHOICES = _ALL_PLACES.with_only_columns(Place.id, Place.name, Place.kind)


class PlacePin(NamedTuple):
    """A place as the community's home lists it and pins it on its map."""

    id: int
    name: str
    kind: str
    lat: float
    lon: float


def place_pins(session: Session, community: Community) -> list[PlacePin]:
    """`places`, only what the home's list and map show (plain rows, by name)."""
    rows = session.execute(_PINS, {"community_id": community.id})
    return [PlacePin._make(row) for row in rows]


_PINS = _ALL_PLACES.with_only_columns(Place.id, Place.name, Place.kind, Place.lat, Place.lon)


def get_place(session: Session, community: Community, place_id: int) -> Place:
    """One place of the community, or NotFound."""
    return get_scoped(
        session, Place, place_id, community.id, missing=N_("No such place in this community.")
    )


def _name_taken(session: Session, community: Community, name: str) -> None:
    query = select_scoped(Place, community.id).where(Place.name == name)
    if session.scalar(query) is not None:
        raise Conflict("There is already a place called '%(name)s'.", field="name", name=name)


def create_place(session: Session, community: Community, viewer: Viewer, body: PlaceIn) -> Place:
    """Add a place to the community's map (members); `PlaceIn` has checked the fields."""
    member = require_member(session, community, viewer)
    _name_taken(session, community, body.name)
    place = Place(community_id=community.id, created_by_id=member.user_id, **body.model_dump())
    session.add(place)
    session.flush()
    return place


def update_place(
    session: Session, community: Community, viewer: Viewer, place_id: int, body: PlacePatch
) -> Place:
    """Change a place (its creator or a steward); what is left out (or null) stays as it is."""
    member = require_member(session, community, viewer)
    place = get_place(session, community, place_id)
    if member.role != Role.STEWARD and place.created_by_id != member.user_id:
        raise Forbidden("Only a steward or the person who added this place can change it.")
    data = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if "name" in data and data["name"] != place.name:
        _name_taken(session, community, data["name"])
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


def place_markers(places: Sequence[Place | PlacePin]) -> list[dict[str, Any]]:
    """Places as map markers for the page script."""
    return [
        {"name": p.name, "kind": p.kind, "lat": p.lat, "lon": p.lon, "id": p.id} for p in places
    ]

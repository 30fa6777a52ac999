"""Network use cases: who may see what, offers and needs, priority groups, foraging patches."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.communities.models import Community, Role
from commonpot.db import utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound
from commonpot.network.models import (
    ForagingPatch,
    Harvest,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    PriorityGroup,
)
from commonpot.parsing import finite, integer

MAX_QUANTITY = 100_000


# --- access ---------------------------------------------------------------------------------


def is_steward(session: Session, community: Community, viewer: Viewer) -> bool:
    """Stewards and instance admins run the community's allocations."""
    if viewer.is_admin:
        return True
    found = communities.membership(session, community, viewer)
    return found is not None and found.role == Role.STEWARD.value


def require_reader(session: Session, community: Community, viewer: Viewer) -> None:
    """Network data (where food and people in need are) is for members and admins only."""
    if viewer.is_admin:
        return
    communities.require_member(session, community, viewer)


def require_steward(session: Session, community: Community, viewer: Viewer) -> None:
    """Only stewards (or admins) may run and commit allocations."""
    if viewer.is_admin:
        return
    communities.require_role(session, community, viewer, Role.STEWARD)


def visible_offers(
    session: Session, community: Community, viewer: Viewer, *, status: str | None = None
) -> list[Offer]:
    """Offers the viewer may see: every offer of the community, for its members."""
    require_reader(session, community, viewer)
    query = select(Offer).where(Offer.community_id == community.id)
    if status is not None:
        query = query.where(Offer.status == status)
    return list(session.scalars(query.order_by(Offer.id)))


def visible_needs(
    session: Session, community: Community, viewer: Viewer, *, status: str | None = None
) -> list[Need]:
    """Needs the viewer may see: stewards see all, other members only their own."""
    require_reader(session, community, viewer)
    query = select(Need).where(Need.community_id == community.id)
    if not is_steward(session, community, viewer):
        query = query.where(Need.user_id == viewer.user_id)
    if status is not None:
        query = query.where(Need.status == status)
    return list(session.scalars(query.order_by(Need.id)))


# --- checks ---------------------------------------------------------------------------------


def _quantity(value: int, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise Invalid(f"{field}: must be a whole number from 1 to {MAX_QUANTITY}", field=field)
    return value


def _place(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise Invalid("lat: must be between -90 and 90", field="lat")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise Invalid("lon: must be between -180 and 180", field="lon")


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise Invalid(f"{field}: must not be empty", field=field)
    if len(value) > limit:
        raise Invalid(f"{field}: at most {limit} characters", field=field)
    return value


# --- offers and needs -----------------------------------------------------------------------


def create_offer(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    category: str,
    quantity: int,
    lat: float,
    lon: float,
    description: str = "",
    expires_at: datetime | None = None,
) -> Offer:
    """A member offers food at a place, optionally until it spoils."""
    communities.require_member(session, community, viewer)
    _place(lat, lon)
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("expires_at: must be in the future", field="expires_at")
    offer = Offer(
        community_id=community.id,
        user_id=viewer.user_id,
        category=_text(category, "category", 60).lower(),
        description=_text(description, "description", 300, required=False),
        quantity=_quantity(quantity),
        lat=lat,
        lon=lon,
        expires_at=expires_at,
    )
    session.add(offer)
    session.flush()
    return offer


def create_need(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    category: str,
    quantity: int,
    lat: float,
    lon: float,
    description: str = "",
    group_id: int | None = None,
) -> Need:
    """A member asks for food; a steward may place the need in a priority group."""
    communities.require_member(session, community, viewer)
    _place(lat, lon)
    if group_id is not None:
        get_group(session, community, group_id)
    need = Need(
        community_id=community.id,
        user_id=viewer.user_id,
        category=_text(category, "category", 60).lower(),
        description=_text(description, "description", 300, required=False),
        quantity=_quantity(quantity),
        lat=lat,
        lon=lon,
        group_id=group_id,
    )
    session.add(need)
    session.flush()
    return need


def get_offer(session: Session, community: Community, viewer: Viewer, offer_id: int) -> Offer:
    """One offer of the community, for members."""
    require_reader(session, community, viewer)
    offer = session.get(Offer, offer_id)
    if offer is None or offer.community_id != community.id:
        raise NotFound("No such offer here.")
    return offer


def get_need(session: Session, community: Community, viewer: Viewer, need_id: int) -> Need:
    """One need, for its author and the stewards."""
    for need in visible_needs(session, community, viewer):
        if need.id == need_id:
            return need
    raise NotFound("No such need here.")


def _owner_or_steward(
    session: Session, community: Community, viewer: Viewer, owner: int | None
) -> None:
    if owner != viewer.user_id and not is_steward(session, community, viewer):
        raise Forbidden("Only its author or a steward can change this.")


def withdraw_offer(session: Session, community: Community, viewer: Viewer, offer_id: int) -> Offer:
    """Withdraw what is left of an offer (units already allocated stay allocated)."""
    offer = get_offer(session, community, viewer, offer_id)
    _owner_or_steward(session, community, viewer, offer.user_id)
    if offer.status != OfferStatus.OPEN.value:
        raise Conflict(f"This offer is already {offer.status}.")
    offer.status = OfferStatus.WITHDRAWN.value
    return offer


def withdraw_need(session: Session, community: Community, viewer: Viewer, need_id: int) -> Need:
    """Withdraw a need that is no longer needed."""
    need = get_need(session, community, viewer, need_id)
    _owner_or_steward(session, community, viewer, need.user_id)
    if need.status != NeedStatus.OPEN.value:
        raise Conflict(f"This need is already {need.status}.")
    need.status = NeedStatus.WITHDRAWN.value
    return need


# --- priority groups ------------------------------------------------------------------------


def groups(session: Session, community: Community, viewer: Viewer) -> list[PriorityGroup]:
    """The community's priority groups, most urgent first."""
    require_reader(session, community, viewer)
    query = select(PriorityGroup).where(PriorityGroup.community_id == community.id)
    return list(session.scalars(query.order_by(PriorityGroup.priority.desc(), PriorityGroup.name)))


def get_group(session: Session, community: Community, group_id: int) -> PriorityGroup:
    """A priority group of this community."""
    group = session.get(PriorityGroup, group_id)
    if group is None or group.community_id != community.id:
        raise NotFound("No such priority group here.", field="group_id")
    return group


def create_group(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    name: str,
    priority: float,
    description: str = "",
) -> PriorityGroup:
    """Stewards define who is served first, with a weight >= 1."""
    require_steward(session, community, viewer)
    if not (math.isfinite(priority) and 1 <= priority <= 100):
        raise Invalid("priority: must be a number from 1 to 100", field="priority")
    name = _text(name, "name", 60)
    taken = session.scalar(
        select(PriorityGroup.id).where(
            PriorityGroup.community_id == community.id, PriorityGroup.name == name
        )
    )
    if taken is not None:
        raise Conflict(f"A priority group named {name!r} already exists.")
    group = PriorityGroup(
        community_id=community.id,
        name=name,
        priority=priority,
        description=_text(description, "description", 300, required=False),
    )
    session.add(group)
    session.flush()
    return group


# --- foraging patches -----------------------------------------------------------------------


def patches(session: Session, community: Community, viewer: Viewer) -> list[ForagingPatch]:
    """The community's foraging patches (members only: patch locations invite overharvest)."""
    require_reader(session, community, viewer)
    query = select(ForagingPatch).where(ForagingPatch.community_id == community.id)
    return list(session.scalars(query.order_by(ForagingPatch.name)))


def get_patch(
    session: Session, community: Community, viewer: Viewer, patch_id: int
) -> ForagingPatch:
    """One patch of the community."""
    require_reader(session, community, viewer)
    patch = session.get(ForagingPatch, patch_id)
    if patch is None or patch.community_id != community.id:
        raise NotFound("No such foraging patch here.")
    return patch


def save_patch(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    name: str,
    species: str,
    lat: float,
    lon: float,
    sustainable_yield_kg: float,
    season_start_month: int = 1,
    notes: str = "",
    geometry: dict[str, Any] | None = None,
) -> ForagingPatch:
    """Create a patch (members), or update the one with the same name (stewards)."""
    communities.require_member(session, community, viewer)
    _place(lat, lon)
    if not (math.isfinite(sustainable_yield_kg) and 0 <= sustainable_yield_kg <= 1e6):
        raise Invalid(
            "sustainable_yield_kg: must be from 0 to 1000000", field="sustainable_yield_kg"
        )
    if not 1 <= season_start_month <= 12:
        raise Invalid("season_start_month: must be from 1 to 12", field="season_start_month")
    name = _text(name, "name", 120)
    patch = session.scalar(
        select(ForagingPatch).where(
            ForagingPatch.community_id == community.id, ForagingPatch.name == name
        )
    )
    values = {
        "species": _text(species, "species", 120),
        "lat": lat,
        "lon": lon,
        "sustainable_yield_kg": sustainable_yield_kg,
        "season_start_month": season_start_month,
        "notes": _text(notes, "notes", 2000, required=False),
        "geometry": geometry,
    }
    if patch is None:
        patch = ForagingPatch(community_id=community.id, name=name)
        session.add(patch)
    elif any(getattr(patch, k) != v for k, v in values.items()) and not is_steward(
        session, community, viewer
    ):
        # the sustainable yield protects the patch: only stewards change a mapped one
        raise Forbidden(f"The patch '{name}' is already mapped; only a steward can change it.")
    for key, value in values.items():
        setattr(patch, key, value)
    session.flush()
    return patch


def season_start(patch: ForagingPatch, now: datetime | None = None) -> datetime:
    """Start of the patch's current season (the last first day of its start month)."""
    now = now or utcnow()
    start = now.replace(
        month=patch.season_start_month, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    return start if start <= now else start.replace(year=start.year - 1)


def harvested_this_season(session: Session, patch: ForagingPatch) -> float:
    """Kilograms logged from the patch since its season started."""
    total = session.scalar(
        select(func.coalesce(func.sum(Harvest.quantity_kg), 0.0)).where(
            Harvest.patch_id == patch.id, Harvest.harvested_at >= season_start(patch)
        )
    )
    return float(total or 0.0)


def log_harvest(
    session: Session,
    community: Community,
    viewer: Viewer,
    patch_id: int,
    *,
    quantity_kg: float,
    note: str = "",
) -> Harvest:
    """Log a harvest; refused when it would take the patch past its sustainable yield."""
    communities.require_member(session, community, viewer)
    patch = get_patch(session, community, viewer, patch_id)
    if not (math.isfinite(quantity_kg) and 0 < quantity_kg <= 1e5):
        raise Invalid("quantity_kg: must be more than 0", field="quantity_kg")
    if session.get_bind().dialect.name != "sqlite":
        # sum and insert as one step: concurrent harvests wait on the patch row (FOR NO KEY
        # UPDATE, which harvest rows' foreign-key share locks do not block); SQLite's write
        # transaction already holds the database's write lock
        session.execute(
            select(ForagingPatch.id)
            .where(ForagingPatch.id == patch.id)
            .with_for_update(key_share=True)
        )
        session.refresh(patch)
    left = patch.sustainable_yield_kg - harvested_this_season(session, patch)
    if quantity_kg > left + 1e-9:
        raise Conflict(
            f"{patch.name} has {max(left, 0):.1f} kg of sustainable yield left this season; "
            f"leave the rest to regrow."
        )
    harvest = Harvest(
        community_id=community.id,
        patch_id=patch.id,
        user_id=viewer.user_id,
        quantity_kg=quantity_kg,
        note=_text(note, "note", 300, required=False),
    )
    session.add(harvest)
    session.flush()
    return harvest


def harvests(
    session: Session, community: Community, viewer: Viewer, patch_id: int
) -> list[Harvest]:
    """A patch's harvest log, newest first."""
    patch = get_patch(session, community, viewer, patch_id)
    query = select(Harvest).where(Harvest.patch_id == patch.id)
    return list(session.scalars(query.order_by(Harvest.harvested_at.desc(), Harvest.id.desc())))


def patches_geojson(session: Session, community: Community, viewer: Viewer) -> dict[str, Any]:
    """The patches as a GeoJSON FeatureCollection (a stored shape, else the point)."""
    features = []
    for patch in patches(session, community, viewer):
        geometry = patch.geometry or {"type": "Point", "coordinates": [patch.lon, patch.lat]}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "name": patch.name,
                    "species": patch.species,
                    "sustainable_yield_kg": patch.sustainable_yield_kg,
                    "season_start_month": patch.season_start_month,
                    "harvested_this_season_kg": harvested_this_season(session, patch),
                    "notes": patch.notes,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _anchor(geometry: Any, where: str) -> tuple[float, float]:
    """A representative (lat, lon) of a Point or Polygon geometry."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Point", "Polygon"):
        raise Invalid(f"{where}.geometry: must be a Point or a Polygon", field=f"{where}.geometry")
    coords = geometry.get("coordinates")
    field = f"{where}.geometry.coordinates"
    rings = [[coords]] if geometry["type"] == "Point" else coords
    if not isinstance(rings, list) or not rings:
        raise Invalid(f"{field}: must be a list of rings", field=field)
    for ring in rings:
        if not isinstance(ring, list) or not ring:
            raise Invalid(f"{field}: bad coordinates", field=field)
        for point in ring:
            if not isinstance(point, list) or len(point) < 2:
                raise Invalid(f"{field}: a position must be [longitude, latitude]", field=field)
            finite(point[0], field=field, minimum=-180, maximum=180)
            finite(point[1], field=field, minimum=-90, maximum=90)
            for extra in point[2:]:
                finite(extra, field=field)
    ring = rings[0]
    lon = sum(float(p[0]) for p in ring) / len(ring)
    lat = sum(float(p[1]) for p in ring) / len(ring)
    return lat, lon


def import_geojson(
    session: Session, community: Community, viewer: Viewer, data: Any
) -> list[ForagingPatch]:
    """Create or update patches from a GeoJSON FeatureCollection (by name)."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Invalid("geojson: must be a FeatureCollection", field="geojson")
    features = data.get("features")
    if not isinstance(features, list):
        raise Invalid("features: must be a list", field="features")
    saved = []
    for i, feature in enumerate(features):
        where = f"features[{i}]"
        if not isinstance(feature, dict):
            raise Invalid(f"{where}: must be an object", field=where)
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise Invalid(f"{where}.properties: must be an object", field=f"{where}.properties")
        lat, lon = _anchor(feature.get("geometry"), where)
        here = f"{where}.properties"
        yield_kg = finite(
            props.get("sustainable_yield_kg", 0), field=f"{here}.sustainable_yield_kg"
        )
        month = integer(
            props.get("season_start_month", 1),
            field=f"{here}.season_start_month",
            minimum=1,
            maximum=12,
        )
        try:
            saved.append(
                save_patch(
                    session,
                    community,
                    viewer,
                    name=str(props.get("name", "")),
                    species=str(props.get("species", "")),
                    lat=lat,
                    lon=lon,
                    sustainable_yield_kg=yield_kg,
                    season_start_month=month,
                    notes=str(props.get("notes", "")),
                    geometry=feature["geometry"]
                    if feature["geometry"]["type"] != "Point"
                    else None,
                )
            )
        except Invalid as exc:
            raise Invalid(f"{where}.properties.{exc.detail}", field=f"{where}.properties") from exc
        except (TypeError, ValueError) as exc:
            raise Invalid(f"{where}.properties: bad value ({exc})", field=where) from exc
    return saved


def open_counts(session: Session, community: Community) -> dict[str, int]:
    """Open offers and needs, for the section's summary."""
    offers = session.scalar(
        select(func.count(Offer.id)).where(
            Offer.community_id == community.id, Offer.status == OfferStatus.OPEN.value
        )
    )
    needs = session.scalar(
        select(func.count(Need.id)).where(
            Need.community_id == community.id,
            or_(Need.status == NeedStatus.OPEN.value),
        )
    )
    return {"offers": int(offers or 0), "needs": int(needs or 0)}

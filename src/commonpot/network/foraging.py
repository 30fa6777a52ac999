"""Foraging patches and their harvests, within each patch's sustainable yield."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonpot import communities
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import N_, Conflict, Forbidden, Invalid, Worded
from commonpot.network import checks
from commonpot.network.access import is_steward, require_reader
from commonpot.network.models import ForagingPatch, Harvest
from commonpot.parsing import finite, integer
from commonpot.tenancy import get_scoped, select_scoped


def patches(session: Session, community: Community, viewer: Viewer) -> list[ForagingPatch]:
    """The community's foraging patches (members only: patch locations invite overharvest)."""
    require_reader(session, community, viewer)
    query = select_scoped(ForagingPatch, community.id)
    return list(session.scalars(query.order_by(ForagingPatch.name)))


def get_patch(
    session: Session, community: Community, viewer: Viewer, patch_id: int
) -> ForagingPatch:
    """One patch of the community."""
    require_reader(session, community, viewer)
    return get_scoped(
        session, ForagingPatch, patch_id, community.id, missing=N_("No such foraging patch here.")
    )


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
    checks.place(lat, lon)
    if not (math.isfinite(sustainable_yield_kg) and 0 <= sustainable_yield_kg <= 1e6):
        raise Invalid(
            "sustainable_yield_kg: must be from 0 to 1000000", field="sustainable_yield_kg"
        )
    if not 1 <= season_start_month <= 12:
        raise Invalid("season_start_month: must be from 1 to 12", field="season_start_month")
    name = checks.text(name, "name", 120)
    patch = session.scalar(
        select(ForagingPatch).where(
            ForagingPatch.community_id == community.id, ForagingPatch.name == name
        )
    )
    values = {
        "species": checks.text(species, "species", 120),
        "lat": lat,
        "lon": lon,
        "sustainable_yield_kg": sustainable_yield_kg,
        "season_start_month": season_start_month,
        "notes": checks.text(notes, "notes", 2000, required=False),
        "geometry": geometry,
    }
    if patch is None:
        patch = ForagingPatch(community_id=community.id, name=name)
        session.add(patch)
    elif any(getattr(patch, k) != v for k, v in values.items()) and not is_steward(
        session, community, viewer
    ):
        # the sustainable yield protects the patch: only stewards change a mapped one
        raise Forbidden(
            "The patch '%(name)s' is already mapped; only a steward can change it.", name=name
        )
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
            "%(patch)s has %(left)s kg of sustainable yield left this season; "
            "leave the rest to regrow.",
            patch=patch.name,
            left=round(float(max(left, 0)), 1),
        )
    harvest = Harvest(
        community_id=community.id,
        patch_id=patch.id,
        user_id=viewer.user_id,
        quantity_kg=quantity_kg,
        note=checks.text(note, "note", 300, required=False),
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
        raise Invalid(
            "%(where)s.geometry: must be a Point or a Polygon",
            field=f"{where}.geometry",
            where=where,
        )
    coords = geometry.get("coordinates")
    field = f"{where}.geometry.coordinates"
    rings = [[coords]] if geometry["type"] == "Point" else coords
    if not isinstance(rings, list) or not rings:
        raise Invalid("%(where)s: must be a list of rings", field=field, where=field)
    for ring in rings:
        if not isinstance(ring, list) or not ring:
            raise Invalid("%(where)s: bad coordinates", field=field, where=field)
        for point in ring:
            if not isinstance(point, list) or len(point) < 2:
                raise Invalid(
                    "%(where)s: a position must be [longitude, latitude]", field=field, where=field
                )
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
            raise Invalid("%(where)s: must be an object", field=where, where=where)
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise Invalid(
                "%(where)s.properties: must be an object",
                field=f"{where}.properties",
                where=where,
            )
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
            # the field's own refusal inside, worded again where it is shown
            inner = exc.detail if isinstance(exc.detail, Worded) else Worded(exc.detail, {})
            raise Invalid(
                "%(where)s.properties.%(inner)s",
                field=f"{where}.properties",
                where=where,
                inner=inner,
            ) from exc
        except (TypeError, ValueError) as exc:
            raise Invalid(
                "%(where)s.properties: bad value (%(reason)s)",
                field=where,
                where=where,
                reason=str(exc),
            ) from exc
    return saved

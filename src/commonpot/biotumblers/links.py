"""Where finished compost goes: offered to the food-sharing network, or delivered to a dome.

A batch's compost leaves once, either way, and only when the batch has ended and its
readings prove it sanitised (the spec's assessment): unsafe compost is never offered.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonpot import communities, network, tenancy
from commonpot.accounts import Viewer
from commonpot.biotumblers import reads, service
from commonpot.biotumblers.models import Batch, Biotumbler
from commonpot.communities import Community, Place
from commonpot.db import utcnow
from commonpot.errors import N_, Conflict, Invalid, NotFound

COMPOST = "compost"
MAX_KG = 100_000


def _kg(value: float) -> float:
    if not (math.isfinite(value) and 0 < value <= MAX_KG):
        raise Invalid(
            "compost_kg: must be more than 0 and at most %(limit)s kg",
            field="compost_kg",
            limit=MAX_KG,
        )
    return value


def finished_batch(
    session: Session, community: Community, viewer: Viewer, device: str, batch_id: int
) -> tuple[Biotumbler, Batch]:
    """A steward's ended, sanitised batch whose compost has not left yet (else the reason)."""
    found = service.get_device(session, community, viewer, device)
    service.require_steward(session, community, viewer)
    batch = tenancy.get_scoped(session, Batch, batch_id, community.id, missing=N_("No such batch."))
    if batch.device_id != found.id:
        raise NotFound("No such batch.")
    if batch.ended_at is None:
        raise Conflict("batch: the batch is still in the drum", field="batch")
    if batch.offer_id is not None or batch.place_id is not None:
        raise Conflict("batch: this batch's compost has already gone", field="batch")
    if not reads.assess_device(session, found, batch=batch).sanitised:
        raise Conflict("batch: the readings do not prove this batch sanitised", field="batch")
    return found, batch


def offer_compost(
    session: Session,
    community: Community,
    viewer: Viewer,
    device: str,
    batch_id: int,
    *,
    compost_kg: float,
    lat: float | None = None,
    lon: float | None = None,
    expires_at: datetime | None = None,
) -> network.Offer:
    """Offer a sanitised batch's compost to the food-sharing network (kg, at the drum)."""
    found, batch = finished_batch(session, community, viewer, device, batch_id)
    kg = _kg(compost_kg)
    lat = found.lat if lat is None else lat
    lon = found.lon if lon is None else lon
    if lat is None or lon is None:
        raise Invalid("lat: the device has no place; give lat and lon", field="lat")
    description = f"Sanitised compost from {found.name} (batch of {batch.started_at:%Y-%m-%d})"
    offer = network.create_offer(
        session,
        community,
        viewer,
        category=COMPOST,
        quantity=max(1, round(kg)),
        lat=lat,
        lon=lon,
        description=description,
        expires_at=expires_at,
        unit="kg",
    )
    batch.offer_id, batch.compost_kg, batch.delivered_at = offer.id, kg, utcnow()
    session.flush()
    return offer


def deliver_compost(
    session: Session,
    community: Community,
    viewer: Viewer,
    device: str,
    batch_id: int,
    *,
    place_id: int,
    compost_kg: float,
) -> Batch:
    """Record that a sanitised batch's compost went to one of the community's domes."""
    _, batch = finished_batch(session, community, viewer, device, batch_id)
    kg = _kg(compost_kg)
    place = tenancy.get_scoped(session, Place, place_id, community.id, missing=N_("No such place."))
    batch.place_id, batch.compost_kg, batch.delivered_at = place.id, kg, utcnow()
    session.flush()
    return batch


def compost_delivered(session: Session, community: Community, viewer: Viewer) -> dict[int, float]:
    """Kilograms of sanitised compost delivered to each place (dome) of the community."""
    if not communities.can_read(session, community, viewer):
        return {}
    query = (
        select(Batch.place_id, func.sum(Batch.compost_kg))
        .where(Batch.community_id == community.id, Batch.place_id.is_not(None))
        .group_by(Batch.place_id)
    )
    return {place: float(kg or 0) for place, kg in session.execute(query) if place is not None}

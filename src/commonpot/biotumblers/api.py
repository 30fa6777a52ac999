"""Biotumbler JSON API: devices, tokens, batches, readings ingest (device token), assessments,
alert episodes, unknown devices and where finished compost goes."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import Body, Request

from commonpot.biotumblers import alerts, ingest, links, reads, service
from commonpot.biotumblers.live import publish_pending
from commonpot.biotumblers.models import Batch, Biotumbler
from commonpot.biotumblers.schemas import (
    BatchIn,
    BatchOut,
    CompostDeliveryIn,
    CompostOfferIn,
    DeviceIn,
    DeviceOut,
    EpisodeOut,
    IngestOut,
    OfferOut,
    RegisteredOut,
    TokenOut,
    UnknownDevicesOut,
    UnknownOut,
)
from commonpot.communities.scope import CommunityScope
from commonpot.db import utcnow
from commonpot.errors import NotFound
from commonpot.http import api_router_for, database
from commonpot.params import Id

router = api_router_for("biotumblers")
BASE = "/communities/{slug}/biotumblers"
Payload = Annotated[dict[str, Any] | list[Any], Body(description="One reading or an array")]


def batch_out(session: Any, device: Biotumbler, batch: Batch) -> BatchOut:
    """The API view of a batch with its assessment."""
    verdict = reads.assess_device(session, device, batch=batch, now=utcnow())
    return BatchOut(
        id=batch.id,
        started_at=batch.started_at,
        ended_at=batch.ended_at,
        kitchen_kg=batch.kitchen_kg,
        garden_kg=batch.garden_kg,
        browns_kg=batch.browns_kg,
        note=batch.note,
        assessment=verdict.to_json(),
        compost_kg=batch.compost_kg,
        place_id=batch.place_id,
        offer_id=batch.offer_id,
        delivered_at=batch.delivered_at,
    )


@router.get(BASE, response_model=list[DeviceOut])
def list_devices(here: CommunityScope) -> list[dict[str, Any]]:
    """The community's biotumblers with their assessments (anyone who may read it)."""
    found = service.visible_devices(here.session, here.community, here.viewer)
    return [reads.device_summary(here.session, d) for d in found]


@router.post(BASE, response_model=RegisteredOut, status_code=201)
def register_device(body: DeviceIn, here: CommunityScope) -> RegisteredOut:
    """Register a biotumbler (stewards); the answer holds its ingest token, shown once."""
    found, token = service.register_device(
        here.session,
        here.community,
        here.viewer,
        device=body.device,
        name=body.name,
        lat=body.lat,
        lon=body.lon,
        probes=[p.model_dump() for p in body.probes],
        expected_every_s=body.expected_every_minutes * 60,
    )
    return RegisteredOut(device=found.device, token=token)


@router.get(BASE + "/unknown", response_model=UnknownDevicesOut)
def unknown_devices(here: CommunityScope) -> UnknownDevicesOut:
    """Messages for device ids nobody registered here: counted, never stored (stewards)."""
    service.require_steward(here.session, here.community, here.viewer)
    rows = ingest.unknown_devices(here.session, here.community)
    return UnknownDevicesOut(
        total=ingest.unknown_total(here.session, here.community),
        devices=[
            UnknownOut(
                device=r.device, messages=r.messages, first_seen=r.first_seen, last_seen=r.last_seen
            )
            for r in rows
        ],
    )


@router.get(BASE + "/{device}", response_model=DeviceOut)
def get_device(device: str, here: CommunityScope) -> dict[str, Any]:
    """A device: how many readings are stored and the spec's assessment."""
    found = service.get_device(here.session, here.community, here.viewer, device)
    return reads.device_summary(here.session, found)


@router.get(BASE + "/{device}/episodes", response_model=list[EpisodeOut])
def list_episodes(device: str, here: CommunityScope) -> list[dict[str, Any]]:
    """The device's stored alert episodes, newest first (open ones have `to: null`)."""
    found = service.get_device(here.session, here.community, here.viewer, device)
    return [alerts.episode_json(found, e) for e in alerts.history(here.session, found)]


@router.post(BASE + "/{device}/token", response_model=TokenOut)
def rotate_token(device: str, here: CommunityScope) -> TokenOut:
    """A new ingest token (stewards); the old one stops working."""
    return TokenOut(token=service.rotate_token(here.session, here.community, here.viewer, device))


@router.delete(BASE + "/{device}", status_code=204)
def delete_device(device: str, here: CommunityScope) -> None:
    """Remove a device with its readings (stewards)."""
    service.delete_device(here.session, here.community, here.viewer, device)


@router.get(BASE + "/{device}/batches", response_model=list[BatchOut])
def list_batches(device: str, here: CommunityScope) -> list[BatchOut]:
    """The device's batches, newest first, each with its assessment."""
    found = service.get_device(here.session, here.community, here.viewer, device)
    return [batch_out(here.session, found, b) for b in service.batches(here.session, found)]


@router.post(BASE + "/{device}/batches", response_model=BatchOut, status_code=201)
def start_batch(device: str, body: BatchIn, here: CommunityScope) -> BatchOut:
    """Start a batch (stewards): the drum is filled."""
    batch = service.start_batch(
        here.session, here.community, here.viewer, device, **body.model_dump()
    )
    found = service.get_device(here.session, here.community, here.viewer, device)
    return batch_out(here.session, found, batch)


@router.post(BASE + "/{device}/batches/end", response_model=BatchOut)
def end_batch(device: str, here: CommunityScope) -> BatchOut:
    """End the open batch (stewards): the drum was emptied."""
    batch = service.end_batch(here.session, here.community, here.viewer, device)
    found = service.get_device(here.session, here.community, here.viewer, device)
    return batch_out(here.session, found, batch)


@router.post(BASE + "/{device}/batches/{batch_id}/offer", response_model=OfferOut, status_code=201)
def offer_compost(device: str, batch_id: Id, body: CompostOfferIn, here: CommunityScope) -> Any:
    """Offer a finished, sanitised batch's compost to the food-sharing network (stewards)."""
    return links.offer_compost(
        here.session, here.community, here.viewer, device, batch_id, **body.model_dump()
    )


@router.post(BASE + "/{device}/batches/{batch_id}/delivery", response_model=BatchOut)
def deliver_compost(
    device: str, batch_id: Id, body: CompostDeliveryIn, here: CommunityScope
) -> BatchOut:
    """Record a finished, sanitised batch's compost delivered to a dome (stewards)."""
    batch = links.deliver_compost(
        here.session, here.community, here.viewer, device, batch_id, **body.model_dump()
    )
    found = service.get_device(here.session, here.community, here.viewer, device)
    return batch_out(here.session, found, batch)


@router.post(BASE + "/{device}/readings", response_model=IngestOut, status_code=202)
def post_readings(slug: str, device: str, payload: Payload, request: Request) -> dict[str, Any]:
    """Readings from the device itself: `Authorization: Bearer <device token>`.

    Each bad reading is rejected with its reason; the others are stored. A reading with the
    same time as a stored one replaces it. A wrong token answers 404, as an unknown device;
    messages for a device id nobody registered are counted for the stewards.
    """
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    with database(request).unit_of_work(write=True) as session:
        found = service.find_by_token(session, slug, device, token) if token else None
        if found is None:
            ingest.count_unknown(session, Counter({(slug, device): 1}))
        else:
            result = ingest.ingest(session, found, payload)
    if found is None:
        raise NotFound("No biotumbler '%(device)s' here.", device=str(device))
    publish_pending(request, session)
    return result.to_json()

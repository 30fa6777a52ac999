"""Biotumbler JSON API: devices, tokens, batches, readings ingest (device token), assessments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Security

from commonpot.biotumblers import service
from commonpot.biotumblers.live import publish_pending
from commonpot.biotumblers.models import Batch
from commonpot.biotumblers.schemas import (
    BatchIn,
    BatchOut,
    DeviceIn,
    DeviceOut,
    IngestOut,
    RegisteredOut,
    TokenOut,
)
from commonpot.db import utcnow
from commonpot.errors import NotFound
from commonpot.http import bearer_scheme, database, unit_of_work

router = APIRouter(prefix="/api", tags=["biotumblers"], dependencies=[Security(bearer_scheme)])
BASE = "/communities/{slug}/biotumblers"
Payload = Annotated[dict[str, Any] | list[Any], Body(description="One reading or an array")]


def batch_out(session: Any, device: Any, batch: Batch) -> BatchOut:
    """The API view of a batch with its assessment."""
    verdict = service.assess_device(session, device, batch=batch, now=utcnow())
    return BatchOut(
        id=batch.id,
        started_at=batch.started_at,
        ended_at=batch.ended_at,
        kitchen_kg=batch.kitchen_kg,
        garden_kg=batch.garden_kg,
        browns_kg=batch.browns_kg,
        note=batch.note,
        assessment=verdict.to_json(),
    )


@router.get(BASE, response_model=list[DeviceOut])
def list_devices(slug: str, request: Request) -> list[dict[str, Any]]:
    """The community's biotumblers with their assessments (anyone who may read it)."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        found = service.visible_devices(ctx.session, community, ctx.viewer)
        return [service.device_summary(ctx.session, d) for d in found]


@router.post(BASE, response_model=RegisteredOut, status_code=201)
def register_device(slug: str, body: DeviceIn, request: Request) -> RegisteredOut:
    """Register a biotumbler (stewards); the answer holds its ingest token, shown once."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        found, token = service.register_device(
            ctx.session,
            community,
            ctx.viewer,
            device=body.device,
            name=body.name,
            lat=body.lat,
            lon=body.lon,
            probes=[p.model_dump() for p in body.probes],
        )
        return RegisteredOut(device=found.device, token=token)


@router.get(BASE + "/{device}", response_model=DeviceOut)
def get_device(slug: str, device: str, request: Request) -> dict[str, Any]:
    """A device: how many readings are stored and the spec's assessment."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        found = service.get_device(ctx.session, community, ctx.viewer, device)
        return service.device_summary(ctx.session, found)


@router.post(BASE + "/{device}/token", response_model=TokenOut)
def rotate_token(slug: str, device: str, request: Request) -> TokenOut:
    """A new ingest token (stewards); the old one stops working."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        return TokenOut(token=service.rotate_token(ctx.session, community, ctx.viewer, device))


@router.delete(BASE + "/{device}", status_code=204)
def delete_device(slug: str, device: str, request: Request) -> None:
    """Remove a device with its readings (stewards)."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        service.delete_device(ctx.session, community, ctx.viewer, device)


@router.get(BASE + "/{device}/batches", response_model=list[BatchOut])
def list_batches(slug: str, device: str, request: Request) -> list[BatchOut]:
    """The device's batches, newest first, each with its assessment."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        found = service.get_device(ctx.session, community, ctx.viewer, device)
        return [batch_out(ctx.session, found, b) for b in service.batches(ctx.session, found)]


@router.post(BASE + "/{device}/batches", response_model=BatchOut, status_code=201)
def start_batch(slug: str, device: str, body: BatchIn, request: Request) -> BatchOut:
    """Start a batch (stewards): the drum is filled."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        batch = service.start_batch(ctx.session, community, ctx.viewer, device, **body.model_dump())
        found = service.get_device(ctx.session, community, ctx.viewer, device)
        return batch_out(ctx.session, found, batch)


@router.post(BASE + "/{device}/batches/end", response_model=BatchOut)
def end_batch(slug: str, device: str, request: Request) -> BatchOut:
    """End the open batch (stewards): the drum was emptied."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        batch = service.end_batch(ctx.session, community, ctx.viewer, device)
        found = service.get_device(ctx.session, community, ctx.viewer, device)
        return batch_out(ctx.session, found, batch)


@router.post(BASE + "/{device}/readings", response_model=IngestOut, status_code=202)
def post_readings(slug: str, device: str, payload: Payload, request: Request) -> dict[str, Any]:
    """Readings from the device itself: `Authorization: Bearer <device token>`.

    Each bad reading is rejected with its reason; the others are stored. A reading with the
    same time as a stored one replaces it. A wrong token answers 404, as an unknown device.
    """
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    if not token:
        raise NotFound(f"No biotumbler '{device}' here.")
    with database(request).unit_of_work(write=True) as session:
        found = service.device_for_token(session, slug, device, token)
        result = service.ingest(session, found, payload)
    publish_pending(request, session)
    return result.to_json()

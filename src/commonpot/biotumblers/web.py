"""Biotumbler pages: the community's overview, registration, the device page with live curves."""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from commonpot import communities
from commonpot.biotumblers import (
    alerts,
    assessment,
    downsample,
    ingest,
    links,
    reads,
    rollups,
    service,
)
from commonpot.biotumblers.live import stream
from commonpot.biotumblers.models import Batch, Biotumbler
from commonpot.biotumblers.readings import format_time
from commonpot.communities.scope import CommunityScope, Here
from commonpot.db import utcnow
from commonpot.errors import Conflict, DomainError, Invalid, NotFound
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.templating import reader_locale, redirect, render, translations_for

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
SECTION = {
    "label": "Biotumblers",
    "path": "biotumblers",
    "order": 60,
    "blurb": "Compost drums: live temperatures and proof that each batch was sanitised.",
}
BASE = "/communities/{slug}/biotumblers"
RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}


def _t(request: Request, message: str) -> str:
    return translations_for(reader_locale(request)).gettext(message)


def _values(posted: Any) -> dict[str, str]:
    return {k: str(v) for k, v in posted.items() if k != "csrf_token"}


def _number(form: dict[str, str], key: str, *, optional: bool = False) -> float | None:
    raw = form.get(key, "").strip().replace(",", ".")
    if not raw and optional:
        return None
    try:
        value = float(raw or "0")
    except ValueError:
        raise Invalid("%(where)s: must be a number", field=key, where=str(key)) from None
    if not math.isfinite(value):
        raise Invalid("%(where)s: must be a number", field=key, where=str(key))
    return value


def _probes(text: str) -> list[dict[str, str]]:
    """`core: centre, 40 cm` lines (or comma-free names) as probes."""
    found: list[dict[str, str]] = []
    for line in text.splitlines():
        name, _, position = line.partition(":")
        if name.strip():
            found.append({"name": name.strip().lower(), "position": position.strip()})
    return found


def _failed(values: dict[str, str], exc: DomainError) -> dict[str, Any]:
    return {"values": values, "form_error": str(exc), "error_field": exc.field}


def _card(here: Here, device: Biotumbler, open_now: list[Any]) -> dict[str, Any]:
    now = utcnow()
    batch = service.current_batch(here.session, device)
    if batch is None:  # the drum is empty: show the last batch's verdict
        batch = next(iter(service.batches(here.session, device)), None)
    verdict = reads.assess_device(here.session, device, batch=batch, now=now)
    return {
        "device": device,
        "batch": batch,
        "verdict": verdict,
        "hot_hours": 72.0 if verdict.sanitised else min(verdict.longest_hot_hours, 72.0),
        "open_alerts": open_now,
    }


def overview_page(
    here: Here, *, values: dict[str, str] | None = None, error: DomainError | None = None
) -> dict[str, Any]:
    """The overview's context: each device's card, and for stewards the unknown device ids."""
    devices = service.visible_devices(here.session, here.community, here.viewer)
    opened = alerts.open_for(here.session, [d.id for d in devices])
    steward = service.is_steward(here.session, here.community, here.viewer)
    data = here.page(
        cards=[_card(here, d, opened.get(d.id, [])) for d in devices],
        can_manage=steward,
        unknown=ingest.unknown_devices(here.session, here.community) if steward else [],
        unknown_total=ingest.unknown_total(here.session, here.community) if steward else 0,
        values=values or {},
    )
    if error is not None:
        data.update(_failed(values or {}, error))
    return data


@router.get(BASE, response_class=HTMLResponse)
def overview(request: Request, here: CommunityScope) -> Response:
    """Each device: phase, hours at ≥ 55 °C of the 72 needed, last reading, open alerts."""
    return render(request, "biotumblers/overview.html", overview_page(here), ctx=here)


@router.post(BASE, response_class=HTMLResponse)
def register(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """A steward registers a device; the page shows its ingest token this once."""
    form = _values(posted)
    try:
        with here.session.begin_nested():
            every = _number(form, "expected_every_minutes", optional=True)
            found, token = service.register_device(
                here.session,
                here.community,
                here.viewer,
                device=form.get("device", ""),
                name=form.get("name", ""),
                lat=_number(form, "lat", optional=True),
                lon=_number(form, "lon", optional=True),
                probes=_probes(form.get("probes", "")),
                expected_every_s=None if every is None else round(every * 60),
            )
    except DomainError as exc:
        if not isinstance(exc, (Invalid, Conflict)):
            raise  # not a form problem: the error page (401, 403, 404)
        data = overview_page(here, values=form, error=exc)
        return render(request, "biotumblers/overview.html", data, ctx=here, status_code=422)
    data = here.page(device=found, token=token)
    return render(request, "biotumblers/token.html", data, ctx=here, status_code=201)


def _chart(device: Biotumbler, found: list[Any]) -> dict[str, Any]:
    """Chart data from rollups: mean per probe, moisture, oxygen, turning marks, thresholds."""
    probes = sorted({p for b in found for p in b.probes})
    return {
        "device": device.device,
        "probes": probes,
        "x": [int(b.start.timestamp() * 1000) for b in found],
        "temperature": {
            p: [round(b.probes[p][1], 2) if p in b.probes else None for b in found] for p in probes
        },
        "moisture": [None if b.moisture_pct is None else round(b.moisture_pct, 1) for b in found],
        "oxygen": [None if b.oxygen_pct is None else round(b.oxygen_pct, 1) for b in found],
        "turned": [int(b.start.timestamp() * 1000) for b in found if b.turned],
        "lines": {
            "sanitising": assessment.SANITISING_C,
            "overheat": [limit for _, limit in assessment.OVERHEAT],
        },
    }


def device_page(
    here: Here,
    device: str,
    span_key: str = "batch",
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    """The device page's context (GET and a failed form post render through it)."""
    found = service.get_device(here.session, here.community, here.viewer, device)
    history = alerts.history(here.session, found)
    card = _card(here, found, [e for e in history if e.ended_at is None])
    batch: Batch | None = card["batch"]
    now = utcnow()
    if span_key in RANGES:
        since = now - RANGES[span_key]
    elif batch is not None:
        since = batch.started_at
    else:
        span_key, since = "7d", now - RANGES["7d"]
    width = 60 if now - since <= timedelta(hours=26) else 3600  # served from rollups
    window = (width, downsample.bucket_start(since, timedelta(seconds=width)))

    def chart() -> dict[str, Any]:
        return _chart(found, rollups.rollups(here.session, found, width, since=since))

    steward = service.is_steward(here.session, here.community, here.viewer)
    data = here.page(
        **card,
        span=span_key,
        chart=reads.remembered(found, ("chart", *window), chart),  # until the next reading
        batches=[
            (
                b,
                card["verdict"]
                if b is batch
                else reads.assess_device(here.session, found, batch=b),
            )
            for b in service.batches(here.session, found)
        ],
        episodes=history,
        readings_count=reads.reading_count(here.session, found),
        can_manage=steward,
        places=communities.place_choices(here.session, here.community) if steward else [],
        format_time=format_time,
        values=values or {},
    )
    if error is not None:
        data.update(_failed(values or {}, error))
    return data


@router.get(BASE + "/{device}", response_class=HTMLResponse)
def device_view(
    device: str, request: Request, here: CommunityScope, span: str = "batch"
) -> Response:
    """A device: live temperature per probe, moisture and oxygen, the verdict, alerts, batches."""
    data = device_page(here, device, span)
    return render(request, "biotumblers/device.html", data, ctx=here)


@router.get(BASE + "/{device}/live")
async def live(
    device: str, request: Request, here: CommunityScope, limit: int | None = None
) -> Response:
    """Server-sent events: the device's readings, state and alert episodes as they arrive."""
    found = await run_in_threadpool(
        service.get_device, here.session, here.community, here.viewer, device
    )
    return StreamingResponse(
        stream(request, found.community_id, device, limit=limit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(BASE + "/{device}/evidence.csv")
def evidence(device: str, here: CommunityScope, batch: int | None = None) -> Response:
    """The readings behind the verdict (the current or given batch, else all), as CSV."""
    found = service.get_device(here.session, here.community, here.viewer, device)
    chosen = next((b for b in service.batches(here.session, found) if b.id == batch), None)
    if batch is not None and chosen is None:
        raise NotFound("No such batch.")
    chosen = chosen or service.current_batch(here.session, found)
    rows = reads.stored_readings(
        here.session,
        found,
        since=chosen.started_at if chosen else None,
        until=chosen.ended_at if chosen else None,
    )
    probes = sorted({p for r in rows for p in r.temperature_c})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["t", *[f"temperature_c.{p}" for p in probes], "cold_c", "hot_c",
                     "moisture_pct", "oxygen_pct", "turned"])  # fmt: skip
    for r in rows:
        writer.writerow(
            [
                format_time(r.t),
                *[r.temperature_c.get(p, "") for p in probes],
                "" if r.cold is None else r.cold,
                "" if r.hot is None else r.hot,
                "" if r.moisture_pct is None else r.moisture_pct,
                "" if r.oxygen_pct is None else r.oxygen_pct,
                "true" if r.turned else "false",
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{device}-evidence.csv"'},
    )


def _steward_form(
    request: Request, here: Here, device: str, form: dict[str, str], action: str
) -> Response:
    """Run one steward action; a refused one shows the device page again with the reason."""
    url = f"/communities/{here.community.slug}/biotumblers/{device}"
    try:
        with here.session.begin_nested():
            if action == "token":
                token = service.rotate_token(here.session, here.community, here.viewer, device)
                found = service.get_device(here.session, here.community, here.viewer, device)
                data = here.page(device=found, token=token)
                return render(request, "biotumblers/token.html", data, ctx=here)
            if action == "start":
                service.start_batch(
                    here.session,
                    here.community,
                    here.viewer,
                    device,
                    kitchen_kg=_number(form, "kitchen_kg") or 0.0,
                    garden_kg=_number(form, "garden_kg") or 0.0,
                    browns_kg=_number(form, "browns_kg") or 0.0,
                    note=form.get("note", ""),
                )
                message = "A new batch has started."
            elif action == "end":
                service.end_batch(here.session, here.community, here.viewer, device)
                message = "The batch has ended."
            elif action == "offer":
                links.offer_compost(
                    here.session,
                    here.community,
                    here.viewer,
                    device,
                    int(_number(form, "batch_id") or 0),
                    compost_kg=_number(form, "compost_kg") or 0.0,
                )
                message = "The compost is offered to the network."
            elif action == "deliver":
                links.deliver_compost(
                    here.session,
                    here.community,
                    here.viewer,
                    device,
                    int(_number(form, "batch_id") or 0),
                    place_id=int(_number(form, "place_id") or 0),
                    compost_kg=_number(form, "compost_kg") or 0.0,
                )
                message = "The compost delivery is recorded."
            else:
                service.delete_device(here.session, here.community, here.viewer, device)
                back = f"/communities/{here.community.slug}/biotumblers"
                return redirect(request, back, _t(request, "The device was removed."))
    except DomainError as exc:
        if not isinstance(exc, (Invalid, Conflict)):
            raise  # not a form problem: the error page (401, 403, 404)
        data = device_page(here, device, values=form, error=exc)
        return render(request, "biotumblers/device.html", data, ctx=here, status_code=422)
    return redirect(request, url, _t(request, message))


@router.post(BASE + "/{device}/token")
def rotate(device: str, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """A new ingest token (stewards), shown this once."""
    return _steward_form(request, here, device, _values(posted), "token")


@router.post(BASE + "/{device}/batches")
def start(device: str, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Start a batch (stewards)."""
    return _steward_form(request, here, device, _values(posted), "start")


@router.post(BASE + "/{device}/batches/end")
def end(device: str, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """End the open batch (stewards)."""
    return _steward_form(request, here, device, _values(posted), "end")


@router.post(BASE + "/{device}/compost/offer")
def offer(device: str, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Offer a finished, sanitised batch's compost to the network (stewards)."""
    return _steward_form(request, here, device, _values(posted), "offer")


@router.post(BASE + "/{device}/compost/delivery")
def deliver(device: str, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Record a finished, sanitised batch's compost delivered to a dome (stewards)."""
    return _steward_form(request, here, device, _values(posted), "deliver")


@router.post(BASE + "/{device}/delete")
def remove(device: str, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Remove the device with its readings (stewards)."""
    return _steward_form(request, here, device, _values(posted), "delete")

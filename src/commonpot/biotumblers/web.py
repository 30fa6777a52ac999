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

from commonpot.biotumblers import assessment, service
from commonpot.biotumblers.live import stream
from commonpot.biotumblers.models import Batch, Biotumbler, Rollup
from commonpot.biotumblers.readings import format_time
from commonpot.communities.web import community_context
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid, NotFound
from commonpot.http import Ctx, unit_of_work, verify_csrf_form
from commonpot.templating import reader_locale, redirect, redirect_error, render, translations_for

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


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


def _number(form: dict[str, str], key: str, *, optional: bool = False) -> float | None:
    raw = form.get(key, "").strip().replace(",", ".")
    if not raw and optional:
        return None
    try:
        value = float(raw or "0")
    except ValueError:
        raise Invalid(f"{key}: must be a number", field=key) from None
    if not math.isfinite(value):
        raise Invalid(f"{key}: must be a number", field=key)
    return value


def _probes(text: str) -> list[dict[str, str]]:
    """`core: centre, 40 cm` lines (or comma-free names) as probes."""
    found: list[dict[str, str]] = []
    for line in text.splitlines():
        name, _, position = line.partition(":")
        if name.strip():
            found.append({"name": name.strip().lower(), "position": position.strip()})
    return found


def _card(ctx: Ctx, device: Biotumbler) -> dict[str, Any]:
    now = utcnow()
    batch = service.current_batch(ctx.session, device)
    if batch is None:  # the drum is empty: show the last batch's verdict
        batch = next(iter(service.batches(ctx.session, device)), None)
    verdict = service.assess_device(ctx.session, device, batch=batch, now=now)
    return {
        "device": device,
        "batch": batch,
        "verdict": verdict,
        "hot_hours": min(_hot_now(verdict, now), 72.0),
        "open_alerts": [a for a in verdict.alerts if a.end is None],
    }


def _hot_now(verdict: assessment.Assessment, now: Any) -> float:
    """Hours at ≥ 55 °C toward the 72 needed: the sanitising run, else the longest run."""
    if verdict.sanitised:
        return 72.0
    return verdict.longest_hot_hours


@router.get(BASE, response_class=HTMLResponse)
def overview(slug: str, request: Request) -> Response:
    """Each device: phase, hours at ≥ 55 °C of the 72 needed, last reading, open alerts."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        devices = service.visible_devices(ctx.session, community, ctx.viewer)
        data.update(
            cards=[_card(ctx, d) for d in devices],
            can_manage=service.is_steward(ctx.session, community, ctx.viewer),
        )
        return render(request, "biotumblers/overview.html", data, ctx=ctx)


@router.post(BASE)
async def register(slug: str, request: Request) -> Response:
    """A steward registers a device; the page shows its ingest token this once."""
    form = await _form(request)
    url = f"/communities/{slug}/biotumblers"

    def work() -> Response:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            found, token = service.register_device(
                ctx.session,
                community,
                ctx.viewer,
                device=form.get("device", ""),
                name=form.get("name", ""),
                lat=_number(form, "lat", optional=True),
                lon=_number(form, "lon", optional=True),
                probes=_probes(form.get("probes", "")),
            )
            return render(
                request,
                "biotumblers/token.html",
                {**community_context(ctx, slug), "device": found, "token": token},
                ctx=ctx,
                status_code=201,
            )

    try:
        return await run_in_threadpool(work)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return redirect_error(request, url, exc)


def _chart(device: Biotumbler, found: list[Rollup]) -> dict[str, Any]:
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


def _device_page(ctx: Ctx, slug: str, device: str, span_key: str) -> dict[str, Any]:
    data = community_context(ctx, slug)
    community = data["community"]
    found = service.get_device(ctx.session, community, ctx.viewer, device)
    card = _card(ctx, found)
    batch: Batch | None = card["batch"]
    now = utcnow()
    if span_key in RANGES:
        since = now - RANGES[span_key]
    elif batch is not None:
        since = batch.started_at
    else:
        span_key, since = "7d", now - RANGES["7d"]
    width = 60 if now - since <= timedelta(hours=26) else 3600  # served from rollups
    shown = service.rollups(ctx.session, found, width, since=since)
    return {
        **data,
        **card,
        "span": span_key,
        "chart": _chart(found, shown),
        "batches": [
            (b, service.assess_device(ctx.session, found, batch=b, now=now))
            for b in service.batches(ctx.session, found)
        ],
        "readings_count": service.reading_count(ctx.session, found),
        "can_manage": service.is_steward(ctx.session, community, ctx.viewer),
        "format_time": format_time,
    }


@router.get(BASE + "/{device}", response_class=HTMLResponse)
def device_page(slug: str, device: str, request: Request, span: str = "batch") -> Response:
    """A device: live temperature per probe, moisture and oxygen, the verdict, alerts, batches."""
    with unit_of_work(request) as ctx:
        data = _device_page(ctx, slug, device, span)
        return render(request, "biotumblers/device.html", data, ctx=ctx)


def _live_access(request: Request, slug: str, device: str) -> int:
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        return service.get_device(ctx.session, community, ctx.viewer, device).community_id


@router.get(BASE + "/{device}/live")
async def live(slug: str, device: str, request: Request, limit: int | None = None) -> Response:
    """Server-sent events: the device's readings and state as they arrive."""
    community_id = await run_in_threadpool(_live_access, request, slug, device)
    return StreamingResponse(
        stream(request, community_id, device, limit=limit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(BASE + "/{device}/evidence.csv")
def evidence(slug: str, device: str, request: Request, batch: int | None = None) -> Response:
    """The readings behind the verdict (the current or given batch, else all), as CSV."""
    with unit_of_work(request) as ctx:
        community = service.readable(ctx.session, slug, ctx.viewer)
        found = service.get_device(ctx.session, community, ctx.viewer, device)
        chosen = next((b for b in service.batches(ctx.session, found) if b.id == batch), None)
        if batch is not None and chosen is None:
            raise NotFound("No such batch.")
        chosen = chosen or service.current_batch(ctx.session, found)
        rows = service.stored_readings(
            ctx.session,
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


async def _steward_post(request: Request, slug: str, device: str, action: str) -> Response:
    form = await _form(request)
    url = f"/communities/{slug}/biotumblers/{device}"

    def work() -> Response:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            if action == "token":
                token = service.rotate_token(ctx.session, community, ctx.viewer, device)
                found = service.get_device(ctx.session, community, ctx.viewer, device)
                data = {**community_context(ctx, slug), "device": found, "token": token}
                return render(request, "biotumblers/token.html", data, ctx=ctx)
            if action == "start":
                service.start_batch(
                    ctx.session,
                    community,
                    ctx.viewer,
                    device,
                    kitchen_kg=_number(form, "kitchen_kg") or 0.0,
                    garden_kg=_number(form, "garden_kg") or 0.0,
                    browns_kg=_number(form, "browns_kg") or 0.0,
                    note=form.get("note", ""),
                )
                return redirect(request, url, _t(request, "A new batch has started."))
            if action == "end":
                service.end_batch(ctx.session, community, ctx.viewer, device)
                return redirect(request, url, _t(request, "The batch has ended."))
            service.delete_device(ctx.session, community, ctx.viewer, device)
            return redirect(
                request, f"/communities/{slug}/biotumblers", _t(request, "The device was removed.")
            )

    try:
        return await run_in_threadpool(work)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return redirect_error(request, url, exc)


@router.post(BASE + "/{device}/token")
async def rotate(slug: str, device: str, request: Request) -> Response:
    """A new ingest token (stewards), shown this once."""
    return await _steward_post(request, slug, device, "token")


@router.post(BASE + "/{device}/batches")
async def start(slug: str, device: str, request: Request) -> Response:
    """Start a batch (stewards)."""
    return await _steward_post(request, slug, device, "start")


@router.post(BASE + "/{device}/batches/end")
async def end(slug: str, device: str, request: Request) -> Response:
    """End the open batch (stewards)."""
    return await _steward_post(request, slug, device, "end")


@router.post(BASE + "/{device}/delete")
async def remove(slug: str, device: str, request: Request) -> Response:
    """Remove the device with its readings (stewards)."""
    return await _steward_post(request, slug, device, "delete")

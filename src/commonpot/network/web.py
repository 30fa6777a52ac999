"""Network pages: share food (offers and needs on a map), foraging patches, allocation runs."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from commonpot.communities.web import community_context
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.http import Ctx, PostedForm, unit_of_work, verify_csrf_form
from commonpot.network import jobs as network_jobs
from commonpot.network import runs, service
from commonpot.params import Id
from commonpot.parsing import is_digits
from commonpot.templating import redirect, redirect_error, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
SECTION = {
    "label": "Food sharing",
    "path": "network",
    "order": 30,
    "blurb": "Offer and ask for food, map foraging patches, share fairly.",
}
BASE = "/communities/{slug}/network"


def _number(form: dict[str, str], key: str, kind: Callable[[str], Any] = float) -> Any:
    raw = form.get(key, "").strip()
    try:
        value = kind(raw)
    except ValueError:
        raise Invalid(f"{key}: must be a number", field=key) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"{key}: must be a number", field=key)
    return value


def _form(posted: FormData) -> dict[str, str]:
    return {k: str(v) for k, v in posted.items()}


def _overview(ctx: Ctx, slug: str) -> dict[str, Any]:
    data = community_context(ctx, slug)
    community = data["community"]
    if not (data["is_member"] or ctx.viewer.is_admin):
        return data
    offers = service.visible_offers(ctx.session, community, ctx.viewer, status="open")
    needs = service.visible_needs(ctx.session, community, ctx.viewer, status="open")
    patches = service.patches(ctx.session, community, ctx.viewer)
    markers = (
        [
            {
                "name": f"{o.category}: {o.quantity - o.allocated}",
                "kind": "offer",
                "lat": o.lat,
                "lon": o.lon,
            }
            for o in offers
        ]
        + [
            {
                "name": f"{n.category}: {n.quantity - n.received}",
                "kind": "need",
                "lat": n.lat,
                "lon": n.lon,
            }
            for n in needs
        ]
        + [{"name": p.name, "kind": "patch", "lat": p.lat, "lon": p.lon} for p in patches]
    )
    center = [community.lat, community.lon] if community.lat is not None else None
    return {
        **data,
        "offers": offers,
        "needs": needs,
        "groups": service.groups(ctx.session, community, ctx.viewer),
        "markers": markers,
        "center": center,
        "can_run": service.is_steward(ctx.session, community, ctx.viewer),
    }


@router.get(BASE, response_class=HTMLResponse)
def overview(slug: str, request: Request) -> Response:
    """Open offers and needs on a map, with forms to offer and to ask."""
    with unit_of_work(request) as ctx:
        return render(request, "network/overview.html", _overview(ctx, slug), ctx=ctx)


@router.post(BASE + "/offers")
def add_offer(slug: str, request: Request, posted: PostedForm) -> Response:
    """Offer food from the form."""
    form = _form(posted)
    url = f"/communities/{slug}/network"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            hours = form.get("expires_in_hours", "").strip()
            expires = (
                utcnow() + timedelta(hours=_number(form, "expires_in_hours")) if hours else None
            )
            service.create_offer(
                ctx.session,
                community,
                ctx.viewer,
                category=form.get("category", ""),
                quantity=_number(form, "quantity", int),
                lat=_number(form, "lat"),
                lon=_number(form, "lon"),
                description=form.get("description", ""),
                expires_at=expires,
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Thank you: your offer is open.")


@router.post(BASE + "/needs")
def add_need(slug: str, request: Request, posted: PostedForm) -> Response:
    """Ask for food from the form."""
    form = _form(posted)
    url = f"/communities/{slug}/network"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            group = form.get("group_id", "").strip()
            service.create_need(
                ctx.session,
                community,
                ctx.viewer,
                category=form.get("category", ""),
                quantity=_number(form, "quantity", int),
                lat=_number(form, "lat"),
                lon=_number(form, "lon"),
                description=form.get("description", ""),
                group_id=int(group) if is_digits(group) else None,
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Your need is recorded; the next allocation will include it.")


@router.post(BASE + "/{kind}/{item_id}/withdraw")
def withdraw(slug: str, kind: str, item_id: Id, request: Request) -> Response:
    """Withdraw an offer or a need."""
    url = f"/communities/{slug}/network"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            if kind == "offers":
                service.withdraw_offer(ctx.session, community, ctx.viewer, item_id)
            elif kind == "needs":
                service.withdraw_need(ctx.session, community, ctx.viewer, item_id)
            else:
                raise Invalid("Only offers and needs can be withdrawn.")
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Withdrawn.")


@router.get(BASE + "/patches", response_class=HTMLResponse)
def patches_page(slug: str, request: Request) -> Response:
    """Foraging patches with their sustainable yield and this season's harvests."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        service.require_reader(ctx.session, community, ctx.viewer)
        found = service.patches(ctx.session, community, ctx.viewer)
        rows = [(p, service.harvested_this_season(ctx.session, p)) for p in found]
        markers = [{"name": p.name, "kind": "patch", "lat": p.lat, "lon": p.lon} for p in found]
        return render(
            request, "network/patches.html", {**data, "rows": rows, "markers": markers}, ctx=ctx
        )


@router.post(BASE + "/patches")
def add_patch(slug: str, request: Request, posted: PostedForm) -> Response:
    """Map a patch from the form."""
    form = _form(posted)
    url = f"/communities/{slug}/network/patches"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            service.save_patch(
                ctx.session,
                community,
                ctx.viewer,
                name=form.get("name", ""),
                species=form.get("species", ""),
                lat=_number(form, "lat"),
                lon=_number(form, "lon"),
                sustainable_yield_kg=_number(form, "sustainable_yield_kg"),
                season_start_month=_number(form, "season_start_month", int),
                notes=form.get("notes", ""),
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Patch saved.")


@router.post(BASE + "/patches/{patch_id}/harvests")
def add_harvest(slug: str, patch_id: Id, request: Request, posted: PostedForm) -> Response:
    """Log a harvest from the form."""
    form = _form(posted)
    url = f"/communities/{slug}/network/patches"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            service.log_harvest(
                ctx.session,
                community,
                ctx.viewer,
                patch_id,
                quantity_kg=_number(form, "quantity_kg"),
                note=form.get("note", ""),
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Harvest logged.")


@router.get(BASE + "/runs", response_class=HTMLResponse)
def runs_page(slug: str, request: Request) -> Response:
    """Allocation runs (stewards): propose a new one, open earlier ones."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        found = runs.runs(ctx.session, data["community"], ctx.viewer)
        return render(request, "network/runs.html", {**data, "runs": found}, ctx=ctx)


@router.post(BASE + "/runs")
def add_run(slug: str, request: Request, posted: PostedForm) -> Response:
    """Propose a plan from the open offers and needs."""
    form = _form(posted)
    url = f"/communities/{slug}/network/runs"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            params: dict[str, Any] = {}
            if form.get("max_distance_km", "").strip():
                params["max_distance_km"] = _number(form, "max_distance_km")
            job = network_jobs.start_allocation(
                ctx.session,
                community,
                ctx.viewer,
                objective=form.get("objective", "default"),
                params=params,
            )
            url = f"/jobs/{job.id}"
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Solving in the background: this page shows the progress.")


@router.get(BASE + "/runs/{run_id}", response_class=HTMLResponse)
def run_page(slug: str, run_id: Id, request: Request) -> Response:
    """A run's fairness report against first-come-first-served, its lines and pickups."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        run = runs.get_run(ctx.session, data["community"], ctx.viewer, run_id)
        groups = sorted(
            set(run.metrics.get("fill_rate_by_group", {}))
            | set(run.baseline_metrics.get("fill_rate_by_group", {}))
        )
        chart = {
            "labels": groups,
            "plan": [run.metrics.get("fill_rate_by_group", {}).get(g, 0) for g in groups],
            "fcfs": [run.baseline_metrics.get("fill_rate_by_group", {}).get(g, 0) for g in groups],
        }
        return render(
            request,
            "network/run.html",
            {
                **data,
                "run": run,
                "lines": runs.lines(ctx.session, run),
                "chart": chart,
                "groups": groups,
            },
            ctx=ctx,
        )


@router.post(BASE + "/runs/{run_id}/commit")
def commit(slug: str, run_id: Id, request: Request) -> Response:
    """Commit a run: the food moves, or nothing does."""
    url = f"/communities/{slug}/network/runs/{run_id}"
    try:
        with unit_of_work(request) as ctx:
            runs.commit_run(
                ctx.session, community_context(ctx, slug)["community"], ctx.viewer, run_id
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Committed: arrange the pickups below.")


@router.post(BASE + "/assignments/{assignment_id}/{step}")
def pickup(slug: str, assignment_id: Id, step: str, request: Request) -> Response:
    """Volunteer to carry a line, or mark it picked up."""
    back = request.headers.get("referer") or f"/communities/{slug}/network/runs"
    url = back if back.startswith(str(request.base_url)) else f"/communities/{slug}/network"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            if step == "carry":
                runs.assign_pickup(ctx.session, community, ctx.viewer, assignment_id)
            elif step == "done":
                runs.mark_picked_up(ctx.session, community, ctx.viewer, assignment_id)
            else:
                raise Invalid("Unknown pickup step.")
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Thank you.")

"""Network pages: share food (offers and needs on a map), foraging patches, allocation runs.

Forms that fail come back with what was typed (status 422) through the page's one builder.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from commonpot.communities.scope import CommunityScope, Here
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.network import handovers, reports, runs, service, staples, web_handovers
from commonpot.network import jobs as network_jobs
from commonpot.network.checks import UNITS
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
UNPROCESSABLE = 422
router.include_router(web_handovers.router)


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
    return {k: str(v) for k, v in posted.items() if k != "csrf_token"}


def _failed(
    error: DomainError | None, values: dict[str, str] | None, form: str | None
) -> dict[str, Any]:
    """What a page needs to show a failed form again: the input, the message, the field."""
    return {
        "values": values or {},
        "form_error": error.detail if error else None,
        "error_field": (error.field or "") if error else None,
        "failed_form": form if error else None,
    }


def _overview_page(
    request: Request,
    here: Here,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    form: str | None = None,
) -> Response:
    """Open offers and needs on a map, with the forms (again with the input when one failed)."""
    status = UNPROCESSABLE if error else 200
    data = here.page(**_failed(error, values, form))
    community = here.community
    if not (here.is_member or here.viewer.is_admin):
        return render(request, "network/overview.html", data, ctx=here, status_code=status)
    offers = service.visible_offers(here.session, community, here.viewer, status="open")
    needs = service.visible_needs(here.session, community, here.viewer, status="open")
    patches = service.patches(here.session, community, here.viewer)
    markers = (
        [
            {
                "name": f"{o.category}: {o.quantity - o.allocated} {o.unit}",
                "kind": "offer",
                "lat": o.lat,
                "lon": o.lon,
            }
            for o in offers
        ]
        + [
            {
                "name": f"{n.category}: {n.quantity - n.received} {n.unit}",
                "kind": "need",
                "lat": n.lat,
                "lon": n.lon,
            }
            for n in needs
        ]
        + [{"name": p.name, "kind": "patch", "lat": p.lat, "lon": p.lon} for p in patches]
    )
    center = [community.lat, community.lon] if community.lat is not None else None
    found_groups = service.groups(here.session, community, here.viewer)
    data.update(
        offers=offers,
        needs=needs,
        groups=found_groups,
        group_names={g.id: g.name for g in found_groups},
        circumstance_codes=service.CIRCUMSTANCES,
        markers=markers,
        center=center,
        units=UNITS,
        can_run=service.is_steward(here.session, community, here.viewer),
    )
    return render(request, "network/overview.html", data, ctx=here, status_code=status)


@router.get(BASE, response_class=HTMLResponse)
def overview(request: Request, here: CommunityScope) -> Response:
    """Open offers and needs on a map, with forms to offer and to ask."""
    return _overview_page(request, here)


@router.post(BASE + "/offers")
def add_offer(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Offer food from the form (shown again with what was typed if something is wrong)."""
    form = _form(posted)
    try:
        with here.session.begin_nested():
            hours = form.get("expires_in_hours", "").strip()
            expires = (
                utcnow() + timedelta(hours=_number(form, "expires_in_hours")) if hours else None
            )
            service.create_offer(
                here.session,
                here.community,
                here.viewer,
                category=form.get("category", ""),
                quantity=_number(form, "quantity", int),
                lat=_number(form, "lat"),
                lon=_number(form, "lon"),
                description=form.get("description", ""),
                expires_at=expires,
                unit=form.get("unit", ""),
            )
    except DomainError as exc:
        return _overview_page(request, here, values=form, error=exc, form="offer")
    url = f"/communities/{here.community.slug}/network"
    return redirect(request, url, "Thank you: your offer is open.")


@router.post(BASE + "/needs")
def add_need(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Ask for food from the form (shown again with what was typed if something is wrong)."""
    form = _form(posted)
    ticked = [str(v) for v in posted.getlist("circumstances")]
    form["circumstances"] = ",".join(ticked)
    try:
        with here.session.begin_nested():
            group = form.get("group_id", "").strip()
            service.create_need(
                here.session,
                here.community,
                here.viewer,
                category=form.get("category", ""),
                quantity=_number(form, "quantity", int),
                lat=_number(form, "lat"),
                lon=_number(form, "lon"),
                description=form.get("description", ""),
                group_id=int(group) if is_digits(group) else None,
                unit=form.get("unit", ""),
                circumstances=ticked,
                circumstances_note=form.get("circumstances_note", ""),
                priority_consent=form.get("priority_consent") == "on",
            )
    except DomainError as exc:
        return _overview_page(request, here, values=form, error=exc, form="need")
    url = f"/communities/{here.community.slug}/network"
    return redirect(request, url, "Your need is recorded; the next allocation will include it.")


@router.post(BASE + "/needs/{need_id}/group")
def place_need(need_id: Id, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """A steward places a need in a priority group (only when the person agreed)."""
    url = f"/communities/{here.community.slug}/network"
    group = str(posted.get("group_id", "")).strip()
    try:
        with here.session.begin_nested():
            if group and not is_digits(group):
                raise Invalid("group_id: choose a priority group", field="group_id")
            service.assign_group(
                here.session, here.community, here.viewer, need_id, int(group) if group else None
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Priority group saved.")


@router.post(BASE + "/{kind}/{item_id}/withdraw")
def withdraw(kind: str, item_id: Id, request: Request, here: CommunityScope) -> Response:
    """Withdraw an offer or a need."""
    url = f"/communities/{here.community.slug}/network"
    try:
        with here.session.begin_nested():
            if kind == "offers":
                service.withdraw_offer(here.session, here.community, here.viewer, item_id)
            elif kind == "needs":
                service.withdraw_need(here.session, here.community, here.viewer, item_id)
            else:
                raise Invalid("Only offers and needs can be withdrawn.")
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Withdrawn.")


def _patches_page(
    request: Request,
    here: Here,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    form: str | None = None,
) -> Response:
    """Foraging patches (again with the input when a form failed)."""
    service.require_reader(here.session, here.community, here.viewer)
    found = service.patches(here.session, here.community, here.viewer)
    rows = [(p, service.harvested_this_season(here.session, p)) for p in found]
    markers = [{"name": p.name, "kind": "patch", "lat": p.lat, "lon": p.lon} for p in found]
    data = here.page(rows=rows, markers=markers, **_failed(error, values, form))
    status = UNPROCESSABLE if error else 200
    return render(request, "network/patches.html", data, ctx=here, status_code=status)


@router.get(BASE + "/patches", response_class=HTMLResponse)
def patches_page(request: Request, here: CommunityScope) -> Response:
    """Foraging patches with their sustainable yield and this season's harvests."""
    return _patches_page(request, here)


@router.post(BASE + "/patches")
def add_patch(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Map a patch from the form."""
    form = _form(posted)
    try:
        with here.session.begin_nested():
            service.save_patch(
                here.session,
                here.community,
                here.viewer,
                name=form.get("name", ""),
                species=form.get("species", ""),
                lat=_number(form, "lat"),
                lon=_number(form, "lon"),
                sustainable_yield_kg=_number(form, "sustainable_yield_kg"),
                season_start_month=_number(form, "season_start_month", int),
                notes=form.get("notes", ""),
            )
    except DomainError as exc:
        return _patches_page(request, here, values=form, error=exc, form="patch")
    return redirect(request, f"/communities/{here.community.slug}/network/patches", "Patch saved.")


@router.post(BASE + "/patches/{patch_id}/harvests")
def add_harvest(
    patch_id: Id, request: Request, here: CommunityScope, posted: PostedForm
) -> Response:
    """Log a harvest from the form."""
    form = _form(posted)
    try:
        with here.session.begin_nested():
            service.log_harvest(
                here.session,
                here.community,
                here.viewer,
                patch_id,
                quantity_kg=_number(form, "quantity_kg"),
                note=form.get("note", ""),
            )
    except DomainError as exc:
        return _patches_page(request, here, values=form, error=exc, form=f"harvest-{patch_id}")
    url = f"/communities/{here.community.slug}/network/patches"
    return redirect(request, url, "Harvest logged.")


def _runs_page(
    request: Request,
    here: Here,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Response:
    found = runs.runs(here.session, here.community, here.viewer)
    freed = sum(h.quantity for h in handovers.freed(here.session, here.community))
    data = here.page(
        runs=found,
        freed_units=freed,
        staples=staples.pantry_staples(here.community),
        **_failed(error, values, "run"),
    )
    status = UNPROCESSABLE if error else 200
    return render(request, "network/runs.html", data, ctx=here, status_code=status)


@router.get(BASE + "/runs", response_class=HTMLResponse)
def runs_page(request: Request, here: CommunityScope) -> Response:
    """Allocation runs (stewards): propose a new one, open earlier ones."""
    return _runs_page(request, here)


@router.post(BASE + "/runs")
def add_run(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Propose a plan from the open offers and needs."""
    form = _form(posted)
    try:
        with here.session.begin_nested():
            params: dict[str, Any] = {}
            if form.get("max_distance_km", "").strip():
                params["max_distance_km"] = _number(form, "max_distance_km")
            job = network_jobs.start_allocation(
                here.session,
                here.community,
                here.viewer,
                objective=form.get("objective", "default"),
                params=params,
            )
    except DomainError as exc:
        return _runs_page(request, here, values=form, error=exc)
    return redirect(
        request, f"/jobs/{job.id}", "Solving in the background: this page shows the progress."
    )


@router.post(BASE + "/staples")
def save_staples(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Stewards edit the pantry staples that menus never ask the network for."""
    form = _form(posted)
    foods = form.get("staples", "").replace(",", "\n").splitlines()
    try:
        with here.session.begin_nested():
            staples.set_pantry_staples(here.session, here.community, here.viewer, foods)
    except DomainError as exc:
        return _runs_page(request, here, values=form, error=exc)
    url = f"/communities/{here.community.slug}/network/runs"
    return redirect(request, url, "Pantry staples saved.")


@router.post(BASE + "/runs/reallocate")
def reallocate(request: Request, here: CommunityScope) -> Response:
    """Re-assign declined and expired units now (stewards), in the background."""
    url = f"/communities/{here.community.slug}/network/runs"
    try:
        with here.session.begin_nested():
            job = network_jobs.start_reallocation(here.session, here.community, here.viewer)
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, f"/jobs/{job.id}", "Re-allocating the freed food in the background.")


@router.get(BASE + "/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: Id, request: Request, here: CommunityScope) -> Response:
    """A run's fairness report against first-come-first-served and who gets what.

    Stewards see every line with food, people and places; members see a committed run's
    summary and fairness figures (no names) and their own lines."""
    run, full = reports.visible_run(here.session, here.community, here.viewer, run_id)
    groups = sorted(
        set(run.metrics.get("fill_rate_by_group", {}))
        | set(run.baseline_metrics.get("fill_rate_by_group", {}))
    )
    chart = {
        "labels": groups,
        "plan": [run.metrics.get("fill_rate_by_group", {}).get(g, 0) for g in groups],
        "fcfs": [run.baseline_metrics.get("fill_rate_by_group", {}).get(g, 0) for g in groups],
    }
    data = here.page(
        run=run,
        full=full,
        lines=reports.lines(here.session, here.community, here.viewer, run, full=full),
        food=reports.food_summary(here.session, here.community, run),
        progress=handovers.run_progress(here.session, here.community, run.id),
        chart=chart,
        groups=groups,
    )
    return render(request, "network/run.html", data, ctx=here)


@router.post(BASE + "/runs/{run_id}/commit")
def commit(run_id: Id, request: Request, here: CommunityScope) -> Response:
    """Commit a run: the food moves, or nothing does."""
    url = f"/communities/{here.community.slug}/network/runs/{run_id}"
    try:
        with here.session.begin_nested():
            runs.commit_run(here.session, here.community, here.viewer, run_id)
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Committed: arrange the pickups below.")


@router.post(BASE + "/assignments/{assignment_id}/{step}")
def pickup(assignment_id: Id, step: str, request: Request, here: CommunityScope) -> Response:
    """Volunteer to carry a line, or mark it picked up."""
    slug = here.community.slug
    back = request.headers.get("referer") or f"/communities/{slug}/network/runs"
    url = back if back.startswith(str(request.base_url)) else f"/communities/{slug}/network"
    try:
        with here.session.begin_nested():
            if step == "carry":
                runs.assign_pickup(here.session, here.community, here.viewer, assignment_id)
            elif step == "done":
                runs.mark_picked_up(here.session, here.community, here.viewer, assignment_id)
            else:
                raise Invalid("Unknown pickup step.")
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Thank you.")

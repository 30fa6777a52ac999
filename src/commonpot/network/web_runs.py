"""Allocation runs' pages: propose, commit and re-allocate (stewards), see a run, carry a line.

A run is solved in the background (`jobs`): proposing one redirects to its job's page. The
runs page also holds the pantry staples that menus never ask the network for.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError, Invalid
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.network import handovers, reports, runs, staples
from commonpot.network import jobs as network_jobs
from commonpot.network.web_forms import UNPROCESSABLE, failed, form_values, number
from commonpot.paging import numbered, page_number, pager
from commonpot.params import Id
from commonpot.templating import redirect, redirect_error, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
BASE = "/communities/{slug}/network"


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
        **failed(error, values, "run"),
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
    form = form_values(posted)
    try:
        with here.session.begin_nested():
            params: dict[str, Any] = {}
            if form.get("max_distance_km", "").strip():
                params["max_distance_km"] = number(form, "max_distance_km")
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
    form = form_values(posted)
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
def run_page(run_id: Id, request: Request, here: CommunityScope, page: str = "") -> Response:
    """A run's fairness report against first-come-first-served and who gets what.

    Stewards see every line with food, people and places; members see a committed run's
    summary and fairness figures (no names) and their own lines; a hundred lines at a time
    (`?page=2`)."""
    at_page = page_number(page, "page")
    run, full = reports.visible_run(here.session, here.community, here.viewer, run_id)
    shown = reports.lines(
        here.session,
        here.community,
        here.viewer,
        run,
        full=full,
        offset=(at_page - 1) * reports.SHOWN,
    )
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
        lines=shown.rows,
        lines_pager=pager(
            len(shown.rows),
            shown.total,
            at_page,
            reports.SHOWN,
            numbered(f"/communities/{here.community.slug}/network/runs/{run.id}"),
        ),
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

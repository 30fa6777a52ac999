"""Ecology pages that decide things: impact assessments, crop-sharing plans, food access.

Assessing a change and drafting a plan run as background jobs: the form is checked at
once (and shown again with what was typed if it is wrong), then the job's page follows
the progress and links to the result.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from commonpot import governance
from commonpot.communities.scope import CommunityScope, Here
from commonpot.ecology import assessments, plans, service
from commonpot.ecology import jobs as ecology_jobs
from commonpot.ecology.food_access import in_units, to_km
from commonpot.ecology.schemas import AssessmentIn, AttachIn, PlanIn, read_in
from commonpot.ecology.web_forms import BASE, Failed, csv_text, form_values, show
from commonpot.errors import DomainError
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.params import Id
from commonpot.templating import reader, reader_locale, redirect
from commonpot.words import worded

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])


# --- impact assessments -----------------------------------------------------------------------


def _assessments(request: Request, here: Here, failed: Failed | None = None) -> Response:
    """The assessments page (again, with the form as it was typed)."""
    found = assessments.assessments(here.session, here.community, here.viewer)
    return show(request, here, "ecology/assessments.html", failed, assessments=found)


@router.get(BASE + "/assessments", response_class=HTMLResponse)
def assessments_page(request: Request, here: CommunityScope) -> Response:
    """Impact assessments and a form to assess a new "after" inventory."""
    return _assessments(request, here)


@router.post(BASE + "/assessments")
def create_assessment(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Assess an uploaded "after" inventory against the current one, in the background."""
    values: dict[str, str] = {}
    try:
        values = form_values(posted)
        body = read_in(
            AssessmentIn, {"title": values.get("title", ""), "after_csv": csv_text(values)}
        )
        with here.session.begin_nested():
            job = ecology_jobs.start_assessment(here.session, here.community, here.viewer, body)
    except DomainError as exc:
        values.pop("file", None)  # a file input cannot be filled in again
        return _assessments(request, here, Failed("assess", exc, values))
    return redirect(
        request, f"/jobs/{job.id}", "Assessing in the background: this page shows the progress."
    )


def _assessment(
    request: Request, here: Here, assessment_id: int, failed: Failed | None = None
) -> Response:
    """One assessment (again, with the attach form as it was typed)."""
    found = assessments.get_assessment(here.session, here.community, here.viewer, assessment_id)
    may_attach = (
        here.viewer.is_admin
        or here.is_steward
        or (found.author_id is not None and found.author_id == here.viewer.user_id)
    )
    return show(
        request,
        here,
        "ecology/assessment.html",
        failed,
        assessment=found,
        report=found.report,
        proposal_number=assessments.proposal_number(here.session, found),
        may_attach=may_attach,
        crop_names=service.crop_names(here.session, here.community),
    )


@router.get(BASE + "/assessments/{assessment_id}", response_class=HTMLResponse)
def assessment_page(assessment_id: Id, request: Request, here: CommunityScope) -> Response:
    """One assessment: what changes, and whether the change looks gamed."""
    return _assessment(request, here, assessment_id)


@router.post(BASE + "/assessments/{assessment_id}/attach")
def attach_assessment(
    assessment_id: Id, request: Request, here: CommunityScope, posted: PostedForm
) -> Response:
    """Attach the assessment to a proposal by number."""
    values = form_values(posted)
    try:
        body = read_in(AttachIn, values)
        with here.session.begin_nested():
            assessments.attach_assessment(
                here.session, here.community, here.viewer, assessment_id, body.proposal_number
            )
    except DomainError as exc:
        return _assessment(request, here, assessment_id, Failed("attach", exc, values))
    url = f"/communities/{here.community.slug}/ecology/assessments/{assessment_id}"
    said = reader(request).gettext("Attached to proposal #%(number)s.")
    return redirect(request, url, said % {"number": body.proposal_number})


# --- crop-sharing plans -----------------------------------------------------------------------


def _plans(request: Request, here: Here, failed: Failed | None = None) -> Response:
    """The plans page (again, with the draft form as it was typed)."""
    found = plans.crop_plans(here.session, here.community, here.viewer)
    words = reader(request)
    summaries = {p.id: plans.plan_summary(p).words(words) for p in found}
    return show(request, here, "ecology/plans.html", failed, plans=found, summaries=summaries)


@router.get(BASE + "/plans", response_class=HTMLResponse)
def plans_page(request: Request, here: CommunityScope) -> Response:
    """Crop-sharing plans and a form to draft one."""
    return _plans(request, here)


@router.post(BASE + "/plans")
def create_plan(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Ask the optimiser for a plan in the background (stewards)."""
    values = form_values(posted)
    try:
        body = read_in(PlanIn, values)
        with here.session.begin_nested():
            job = ecology_jobs.start_plan(here.session, here.community, here.viewer, body)
    except DomainError as exc:
        return _plans(request, here, Failed("plan", exc, values))
    return redirect(
        request, f"/jobs/{job.id}", "Planning in the background: this page shows the progress."
    )


def _plan(request: Request, here: Here, plan_id: int, failed: Failed | None = None) -> Response:
    """One plan (again, with the reason it could not be put to a vote)."""
    plan = plans.get_plan(here.session, here.community, here.viewer, plan_id)
    names = [d["name"] for d in plan.before["domes"]]
    words = reader(request)
    chart = {
        "labels": names,
        "series": [
            {
                "label": words.gettext("Before"),
                "data": [d["hill_1"] or 0 for d in plan.before["domes"]],
            },
            {
                "label": words.gettext("After"),
                "data": [d["hill_1"] or 0 for d in plan.after["domes"]],
            },
        ],
    }
    rows = list(zip(plan.before["domes"], plan.after["domes"], strict=True))
    common = service.crop_names(here.session, here.community)
    return show(
        request,
        here,
        "ecology/plan.html",
        failed,
        plan=plan,
        summary=plans.plan_summary(plan).words(reader(request)),
        notes=worded(list(plan.notes or []), reader(request)),
        chart=chart,
        rows=rows,
        crop_names=common,
    )


@router.get(BASE + "/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(plan_id: Id, request: Request, here: CommunityScope) -> Response:
    """One plan: the moves and diversity before and after."""
    return _plan(request, here, plan_id)


@router.post(BASE + "/plans/{plan_id}/propose")
def propose_plan(plan_id: Id, request: Request, here: CommunityScope) -> Response:
    """Put the plan to a vote: a proposal whose action adopts it."""
    try:
        with here.session.begin_nested():
            plan = plans.get_plan(here.session, here.community, here.viewer, plan_id)
            proposal = governance.create_proposal(
                here.session,
                here.community,
                here.viewer,
                title=reader(request).gettext("Adopt crop-sharing plan %(plan)s")
                % {"plan": plan.id},
                body=plan.summary,
                action={"kind": "adopt_crop_plan", "params": {"plan_id": plan.id}},
            )
    except DomainError as exc:
        return _plan(request, here, plan_id, Failed("propose", exc))
    target = f"/communities/{here.community.slug}/governance/proposals/{proposal.number}"
    return redirect(request, target, "Proposal drafted; open it for voting when ready.")


# --- food access ------------------------------------------------------------------------------


def _food_access(
    request: Request, here: Here, reach: float | None = None, failed: Failed | None = None
) -> Response:
    """The food access page (again, with the unit form that failed)."""
    system = plans.unit_system(here.community)
    catchment_km = 1.0 if reach is None else to_km(system, reach)
    layer = plans.food_access_layer(here.session, here.community, here.viewer, catchment_km)
    locale = reader_locale(request)
    unit = layer["units"]["distance"]
    markers = [
        {"name": s["name"], "lat": s["lat"], "lon": s["lon"], "kind": s["kind"]}
        for s in layer["sources"]
    ] + [
        {
            "name": h["name"],
            "lat": h["lat"],
            "lon": h["lon"],
            "kind": "enclave",
            "popup": (
                f"{h['name']}: {format_decimal(round(h['distance'], 2), locale=locale)} {unit}"
                f" → {h['nearest']}"
            ),
        }
        for h in layer["homes"]
    ]
    return show(
        request,
        here,
        "ecology/food_access.html",
        failed,
        layer=layer,
        reach=round(in_units(system, km=catchment_km), 2),
        markers=markers,
        map_id="food-access-map",
    )


@router.get(BASE + "/food-access", response_class=HTMLResponse)
def food_access_page(
    request: Request,
    here: CommunityScope,
    reach: float | None = None,
    catchment_km: float | None = None,
) -> Response:
    """How far each enclave is from food, on a map and in a table, in the community's units."""
    if reach is None and catchment_km is not None:
        reach = in_units(plans.unit_system(here.community), km=catchment_km)
    return _food_access(request, here, reach)


@router.post(BASE + "/food-access/units")
def choose_units(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Stewards choose metric or imperial units for food access."""
    try:
        with here.session.begin_nested():
            plans.set_unit_system(
                here.session, here.community, here.viewer, str(posted.get("unit_system", ""))
            )
    except DomainError as exc:
        return _food_access(request, here, None, Failed("units", exc))
    target = f"/communities/{here.community.slug}/ecology/food-access"
    return redirect(request, target, "Units saved.")

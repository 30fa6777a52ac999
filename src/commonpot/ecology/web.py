"""Ecology pages: ratings, inventory and seed bank, impact assessments, crop plans, food access."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.datastructures import FormData, UploadFile

from commonpot.communities.web import community_context
from commonpot.ecology import explain, plans, service
from commonpot.ecology.schemas import CSV_LIMIT
from commonpot.errors import DomainError, Invalid, PayloadTooLarge
from commonpot.http import Ctx, PostedForm, unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.parsing import decode_text, parse_float
from commonpot.templating import redirect, redirect_error, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
SECTION = {
    "label": "Ecology",
    "path": "ecology",
    "order": 50,
    "blurb": "How diverse our domes are, our seed bank, and plans to share seed fairly.",
}
BASE = "/communities/{slug}/ecology"


def _form(form: FormData) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, UploadFile):
            raw = value.file.read(CSV_LIMIT + 1)  # spooled to disk or memory already
            value.file.close()
            if len(raw) > CSV_LIMIT:
                raise PayloadTooLarge("The CSV file is larger than 2 MB.")
            out[key] = decode_text(raw, field=key, limit=CSV_LIMIT)
        else:
            out[key] = str(value)
    return out


def _float(form: dict[str, Any], key: str, default: float | None = None) -> float | None:
    raw = str(form.get(key, "")).strip()
    if not raw:
        return default
    try:
        # ASCII, finite and small enough that int() of an id fits a database column
        return parse_float(raw, minimum=-1e15, maximum=1e15)
    except Invalid:
        raise Invalid(f"{key}: must be a number", field=key) from None


def _csv(form: dict[str, Any], file_key: str, text_key: str) -> str:
    text = str(form.get(file_key) or "").strip() or str(form.get(text_key) or "").strip()
    if not text:
        raise Invalid("Choose a COUNTS.csv file or paste its text.", field=file_key)
    return text


def _page(ctx: Ctx, slug: str) -> dict[str, Any]:
    data = community_context(ctx, slug)
    data["can_see"] = data["is_member"] or ctx.viewer.is_admin
    data["can_steward"] = data["is_steward"] or ctx.viewer.is_admin
    return data


def _chart(report: dict[str, Any]) -> dict[str, Any]:
    alpha = report["alpha"]
    names = list(alpha)
    return {
        "labels": names,
        "series": [
            {"label": "Crops grown (richness)", "data": [alpha[n]["hill_0"] or 0 for n in names]},
            {"label": "Effective crops (hill 1)", "data": [alpha[n]["hill_1"] or 0 for n in names]},
            {"label": "Common crops (hill 2)", "data": [alpha[n]["hill_2"] or 0 for n in names]},
        ],
    }


@router.get(BASE, response_class=HTMLResponse)
def ratings_page(slug: str, request: Request, level: str = "crop") -> Response:
    """Diversity ratings of every dome with charts and what they mean."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        rated = service.ratings(ctx.session, data["community"], ctx.viewer, level)
        data.update(
            rated=rated,
            guide=explain.GUIDE,
            chart=None if rated["empty"] else _chart(rated["report"]),
            levels=service.LEVELS,
        )
        return render(request, "ecology/ratings.html", data, ctx=ctx)


@router.get(BASE + "/inventory", response_class=HTMLResponse)
def inventory_page(slug: str, request: Request) -> Response:
    """Plantings per dome, the crop taxonomy, CSV import and export."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        community = data["community"]
        data.update(
            plantings=service.plantings(ctx.session, community, ctx.viewer),
            crops=service.crops(ctx.session, community, ctx.viewer),
            places=service.growing_places(ctx.session, community),
        )
        return render(request, "ecology/inventory.html", data, ctx=ctx)


@router.get(BASE + "/inventory.csv")
def inventory_csv(slug: str, request: Request) -> Response:
    """Download the inventory as COUNTS.csv."""
    with unit_of_work(request) as ctx:
        community = community_context(ctx, slug)["community"]
        text = service.export_inventory_csv(ctx.session, community, ctx.viewer)
    headers = {"Content-Disposition": f'attachment; filename="{slug}-inventory.csv"'}
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.post(BASE + "/inventory/import")
def import_inventory(slug: str, request: Request, posted: PostedForm) -> Response:
    """Replace the inventory of the domes named in an uploaded COUNTS.csv."""
    url = f"/communities/{slug}/ecology/inventory"
    try:
        form = _form(posted)
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            count = service.import_inventory_csv(
                ctx.session, community, ctx.viewer, _csv(form, "file", "text")
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, f"Inventory imported: {count} plantings.")


@router.post(BASE + "/plantings")
def add_planting(slug: str, request: Request, posted: PostedForm) -> Response:
    """Record a planting from the form."""
    url = f"/communities/{slug}/ecology/inventory"
    try:
        form = _form(posted)
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            service.add_planting(
                ctx.session,
                community,
                ctx.viewer,
                place_id=int(_float(form, "place_id") or 0),
                crop=form.get("crop", ""),
                area_m2=_float(form, "area_m2") or 0.0,
                variety=form.get("variety", ""),
                plot=form.get("plot", ""),
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Planting recorded.")


@router.post(BASE + "/plantings/{planting_id}/remove")
def remove_planting(slug: str, planting_id: Id, request: Request) -> Response:
    """Take a planting out of the inventory."""
    url = f"/communities/{slug}/ecology/inventory"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            service.remove_planting(ctx.session, community, ctx.viewer, planting_id)
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Planting removed.")


@router.post(BASE + "/crops")
def save_crop(slug: str, request: Request, posted: PostedForm) -> Response:
    """Add or update a crop in the taxonomy."""
    url = f"/communities/{slug}/ecology/inventory"
    try:
        form = _form(posted)
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            service.save_crop(
                ctx.session,
                community,
                ctx.viewer,
                name=form.get("name", ""),
                common_name=form.get("common_name", ""),
                genus=form.get("genus", ""),
                family=form.get("family", ""),
                climates=[c for c in str(form.get("climates", "")).split(",") if c.strip()],
                seeds_per_m2=_float(form, "seeds_per_m2"),
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Crop saved.")


@router.get(BASE + "/seeds", response_class=HTMLResponse)
def seeds_page(slug: str, request: Request) -> Response:
    """The seed bank."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        community = data["community"]
        data.update(
            lots=service.seed_lots(ctx.session, community, ctx.viewer),
            places=service.growing_places(ctx.session, community),
        )
        return render(request, "ecology/seeds.html", data, ctx=ctx)


@router.post(BASE + "/seeds")
def add_seed_lot(slug: str, request: Request, posted: PostedForm) -> Response:
    """Put seed in the bank from the form (stewards)."""
    url = f"/communities/{slug}/ecology/seeds"
    try:
        form = _form(posted)
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            holder = _float(form, "holder_place_id")
            service.add_seed_lot(
                ctx.session,
                community,
                ctx.viewer,
                code=form.get("code", ""),
                crop=form.get("crop", ""),
                quantity=_float(form, "quantity") or 0.0,
                unit=form.get("unit", "m2"),
                variety=form.get("variety", ""),
                holder_place_id=None if holder is None else int(holder),
            )
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, "Seed lot added to the bank.")


@router.get(BASE + "/assessments", response_class=HTMLResponse)
def assessments_page(slug: str, request: Request) -> Response:
    """Impact assessments and a form to assess a new "after" inventory."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        data["assessments"] = plans.assessments(ctx.session, data["community"], ctx.viewer)
        return render(request, "ecology/assessments.html", data, ctx=ctx)


@router.post(BASE + "/assessments")
def create_assessment(slug: str, request: Request, posted: PostedForm) -> Response:
    """Assess an uploaded "after" inventory against the current one."""
    url = f"/communities/{slug}/ecology/assessments"
    try:
        form = _form(posted)
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            found = plans.create_assessment(
                ctx.session,
                community,
                ctx.viewer,
                title=form.get("title", ""),
                after_csv=_csv(form, "file", "text"),
            )
            target = f"{url}/{found.id}"
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, target, "Assessment ready.")


@router.get(BASE + "/assessments/{assessment_id}", response_class=HTMLResponse)
def assessment_page(slug: str, assessment_id: Id, request: Request) -> Response:
    """One assessment: what changes, and whether the change looks gamed."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        found = plans.get_assessment(ctx.session, data["community"], ctx.viewer, assessment_id)
        number = None
        if found.proposal_id is not None:
            from commonpot.governance.models import Proposal

            proposal = ctx.session.get(Proposal, found.proposal_id)
            number = proposal.number if proposal else None
        may_attach = (
            ctx.viewer.is_admin
            or data.get("is_steward")
            or (found.author_id is not None and found.author_id == ctx.viewer.user_id)
        )
        data.update(
            assessment=found, report=found.report, proposal_number=number, may_attach=may_attach
        )
        return render(request, "ecology/assessment.html", data, ctx=ctx)


@router.post(BASE + "/assessments/{assessment_id}/attach")
def attach_assessment(
    slug: str, assessment_id: Id, request: Request, posted: PostedForm
) -> Response:
    """Attach the assessment to a proposal by number."""
    url = f"/communities/{slug}/ecology/assessments/{assessment_id}"
    try:
        form = _form(posted)
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            number = int(_float(form, "proposal_number") or 0)
            plans.attach_assessment(ctx.session, community, ctx.viewer, assessment_id, number)
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, url, f"Attached to proposal #{number}.")


@router.get(BASE + "/plans", response_class=HTMLResponse)
def plans_page(slug: str, request: Request) -> Response:
    """Crop-sharing plans and a form to draft one."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        data["plans"] = plans.crop_plans(ctx.session, data["community"], ctx.viewer)
        return render(request, "ecology/plans.html", data, ctx=ctx)


@router.post(BASE + "/plans")
def create_plan(slug: str, request: Request, posted: PostedForm) -> Response:
    """Ask the optimiser for a plan (stewards)."""
    url = f"/communities/{slug}/ecology/plans"
    try:
        form = _form(posted)
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            plan = plans.create_plan(
                ctx.session,
                community,
                ctx.viewer,
                min_plot_area=_float(form, "min_plot_area", 1.0) or 0.0,
                gamma_floor=_float(form, "gamma_floor"),
            )
            target = f"{url}/{plan.id}"
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, target, "Plan drafted.")


@router.get(BASE + "/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(slug: str, plan_id: Id, request: Request) -> Response:
    """One plan: the moves and diversity before and after."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        plan = plans.get_plan(ctx.session, data["community"], ctx.viewer, plan_id)
        names = [d["name"] for d in plan.before["domes"]]
        chart = {
            "labels": names,
            "series": [
                {"label": "Before", "data": [d["hill_1"] or 0 for d in plan.before["domes"]]},
                {"label": "After", "data": [d["hill_1"] or 0 for d in plan.after["domes"]]},
            ],
        }
        data.update(
            plan=plan,
            chart=chart,
            rows=list(zip(plan.before["domes"], plan.after["domes"], strict=True)),
        )
        return render(request, "ecology/plan.html", data, ctx=ctx)


@router.post(BASE + "/plans/{plan_id}/propose")
def propose_plan(slug: str, plan_id: Id, request: Request) -> Response:
    """Put the plan to a vote: a proposal whose action adopts it."""
    from commonpot.governance import service as governance

    url = f"/communities/{slug}/ecology/plans/{plan_id}"
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            plan = plans.get_plan(ctx.session, community, ctx.viewer, plan_id)
            proposal = governance.create_proposal(
                ctx.session,
                community,
                ctx.viewer,
                title=f"Adopt crop-sharing plan {plan.id}",
                body=plan.summary,
                action={"kind": "adopt_crop_plan", "params": {"plan_id": plan.id}},
            )
            target = f"/communities/{slug}/governance/proposals/{proposal.number}"
    except DomainError as exc:
        return redirect_error(request, url, exc)
    return redirect(request, target, "Proposal drafted; open it for voting when ready.")


@router.get(BASE + "/food-access", response_class=HTMLResponse)
def food_access_page(slug: str, request: Request, catchment_km: float = 1.0) -> Response:
    """How far each enclave is from food, on a map and in a table."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        layer = plans.food_access_layer(ctx.session, data["community"], ctx.viewer, catchment_km)
        markers = [
            {"name": s["name"], "lat": s["lat"], "lon": s["lon"], "kind": s["kind"]}
            for s in layer["sources"]
        ] + [
            {
                "name": h["name"],
                "lat": h["lat"],
                "lon": h["lon"],
                "kind": "enclave",
                "popup": f"{h['name']}: {h['km']:.2f} km to {h['nearest']}",
            }
            for h in layer["homes"]
        ]
        data.update(layer=layer, markers=markers, map_id="food-access-map")
        return render(request, "ecology/food_access.html", data, ctx=ctx)

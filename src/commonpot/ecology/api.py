"""Ecology JSON API: ratings, taxonomy, inventory (JSON and CSV), seed bank, assessments,
crop-sharing plans and the food-access layer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Security
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from commonpot.communities import service as communities
from commonpot.communities.models import Community
from commonpot.ecology import plans, service
from commonpot.ecology.models import Assessment, Crop, CropPlan, Planting, SeedLot
from commonpot.ecology.schemas import (
    CSV_LIMIT,
    AssessmentIn,
    AssessmentOut,
    AttachIn,
    CropIn,
    CropOut,
    PlanIn,
    PlanOut,
    PlantingIn,
    PlantingOut,
    SeedLotIn,
    SeedLotOut,
)
from commonpot.errors import PayloadTooLarge
from commonpot.http import Ctx, bearer_scheme, unit_of_work
from commonpot.params import Id, QueryId
from commonpot.parsing import decode_text

router = APIRouter(prefix="/api", tags=["ecology"], dependencies=[Security(bearer_scheme)])
BASE = "/communities/{slug}/ecology"


def _community(ctx: Ctx, slug: str) -> Community:
    return communities.readable_community(ctx.session, slug, ctx.viewer)


def crop_out(c: Crop) -> CropOut:
    """The API view of a crop."""
    return CropOut(
        id=c.id,
        name=c.name,
        common_name=c.common_name,
        genus=c.genus,
        family=c.family,
        climates=list(c.climates),
        seeds_per_m2=c.seeds_per_m2,
    )


def planting_out(p: Planting) -> PlantingOut:
    """The API view of a planting."""
    return PlantingOut(
        id=p.id,
        place_id=p.place_id,
        place=p.place.name,
        crop=p.crop.name,
        variety=p.variety,
        plot=p.plot,
        area_m2=p.area_m2,
        plan_id=p.plan_id,
    )


def lot_out(lot: SeedLot) -> SeedLotOut:
    """The API view of a seed lot."""
    return SeedLotOut(
        id=lot.id,
        code=lot.code,
        crop=lot.crop.name,
        variety=lot.variety,
        quantity=lot.quantity,
        unit=lot.unit,
        holder_place_id=lot.holder_place_id,
        saved_year=lot.saved_year,
    )


def assessment_out(session: Session, a: Assessment) -> AssessmentOut:
    """The API view of an assessment (with the number of the proposal it is attached to)."""
    from commonpot.governance.models import Proposal

    number = None
    if a.proposal_id is not None:
        number = session.scalar(select(Proposal.number).where(Proposal.id == a.proposal_id))
    return AssessmentOut(
        id=a.id,
        title=a.title,
        gamed=a.gamed,
        proposal_number=number,
        created_at=a.created_at,
        report=a.report,
    )


def plan_out(p: CropPlan) -> PlanOut:
    """The API view of a crop plan."""
    return PlanOut(
        id=p.id,
        status=p.status,
        summary=p.summary,
        params=p.params,
        moves=p.moves,
        before=p.before,
        after=p.after,
        notes=p.notes,
        created_at=p.created_at,
        adopted_at=p.adopted_at,
    )


@router.get(BASE + "/ratings")
def get_ratings(slug: str, request: Request, level: str = "crop") -> dict[str, Any]:
    """Diversity ratings of every biodome and garden, with plain-language notes."""
    with unit_of_work(request) as ctx:
        return service.ratings(ctx.session, _community(ctx, slug), ctx.viewer, level)


@router.get(BASE + "/crops", response_model=list[CropOut])
def list_crops(slug: str, request: Request) -> list[CropOut]:
    """The crop taxonomy (members)."""
    with unit_of_work(request) as ctx:
        return [crop_out(c) for c in service.crops(ctx.session, _community(ctx, slug), ctx.viewer)]


@router.post(BASE + "/crops", response_model=CropOut, status_code=201)
def save_crop(slug: str, body: CropIn, request: Request) -> CropOut:
    """Add or update a crop by name (members)."""
    with unit_of_work(request) as ctx:
        crop = service.save_crop(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return crop_out(crop)


@router.get(BASE + "/plantings", response_model=list[PlantingOut])
def list_plantings(
    slug: str, request: Request, place_id: QueryId | None = None
) -> list[PlantingOut]:
    """The planting inventory (members)."""
    with unit_of_work(request) as ctx:
        found = service.plantings(ctx.session, _community(ctx, slug), ctx.viewer, place_id)
        return [planting_out(p) for p in found]


@router.post(BASE + "/plantings", response_model=PlantingOut, status_code=201)
def add_planting(slug: str, body: PlantingIn, request: Request) -> PlantingOut:
    """Record a planting (members)."""
    with unit_of_work(request) as ctx:
        planting = service.add_planting(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return planting_out(planting)


@router.delete(BASE + "/plantings/{planting_id}", status_code=204)
def remove_planting(slug: str, planting_id: Id, request: Request) -> Response:
    """Take a planting out of the inventory (members)."""
    with unit_of_work(request) as ctx:
        service.remove_planting(ctx.session, _community(ctx, slug), ctx.viewer, planting_id)
    return Response(status_code=204)


@router.get(BASE + "/inventory.csv", response_class=PlainTextResponse)
def export_inventory(slug: str, request: Request) -> PlainTextResponse:
    """The inventory as COUNTS.csv (areas in m², members)."""
    with unit_of_work(request) as ctx:
        text = service.export_inventory_csv(ctx.session, _community(ctx, slug), ctx.viewer)
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8")


@router.put(BASE + "/inventory.csv")
async def import_inventory(slug: str, request: Request) -> dict[str, int]:
    """Replace the inventory of the places in a COUNTS.csv body (all rows or none, members)."""
    raw = await request.body()
    if len(raw) > CSV_LIMIT:
        raise PayloadTooLarge("The CSV file is larger than 2 MB.")
    text = decode_text(raw, field="file", limit=CSV_LIMIT)
    return await run_in_threadpool(_import_inventory, request, slug, text)


def _import_inventory(request: Request, slug: str, text: str) -> dict[str, int]:
    with unit_of_work(request, write=True) as ctx:
        count = service.import_inventory_csv(ctx.session, _community(ctx, slug), ctx.viewer, text)
        return {"plantings": count}


@router.get(BASE + "/seed-lots", response_model=list[SeedLotOut])
def list_seed_lots(slug: str, request: Request) -> list[SeedLotOut]:
    """The seed bank (members)."""
    with unit_of_work(request) as ctx:
        return [
            lot_out(x) for x in service.seed_lots(ctx.session, _community(ctx, slug), ctx.viewer)
        ]


@router.post(BASE + "/seed-lots", response_model=SeedLotOut, status_code=201)
def add_seed_lot(slug: str, body: SeedLotIn, request: Request) -> SeedLotOut:
    """Put seed in the bank (stewards)."""
    with unit_of_work(request) as ctx:
        lot = service.add_seed_lot(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return lot_out(lot)


@router.get(BASE + "/assessments", response_model=list[AssessmentOut])
def list_assessments(slug: str, request: Request) -> list[AssessmentOut]:
    """Impact assessments, newest first (members)."""
    with unit_of_work(request) as ctx:
        found = plans.assessments(ctx.session, _community(ctx, slug), ctx.viewer)
        return [assessment_out(ctx.session, a) for a in found]


@router.post(BASE + "/assessments", response_model=AssessmentOut, status_code=201)
def create_assessment(slug: str, body: AssessmentIn, request: Request) -> AssessmentOut:
    """Assess an "after" inventory against the current one; gamed changes are flagged."""
    with unit_of_work(request) as ctx:
        found = plans.create_assessment(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return assessment_out(ctx.session, found)


@router.get(BASE + "/assessments/{assessment_id}", response_model=AssessmentOut)
def get_assessment(slug: str, assessment_id: Id, request: Request) -> AssessmentOut:
    """One assessment (members)."""
    with unit_of_work(request) as ctx:
        found = plans.get_assessment(ctx.session, _community(ctx, slug), ctx.viewer, assessment_id)
        return assessment_out(ctx.session, found)


@router.post(BASE + "/assessments/{assessment_id}/attach", response_model=AssessmentOut)
def attach_assessment(
    slug: str, assessment_id: Id, body: AttachIn, request: Request
) -> AssessmentOut:
    """Attach an assessment to a governance proposal (members)."""
    with unit_of_work(request) as ctx:
        found = plans.attach_assessment(
            ctx.session, _community(ctx, slug), ctx.viewer, assessment_id, body.proposal_number
        )
        return assessment_out(ctx.session, found)


@router.get(BASE + "/plans", response_model=list[PlanOut])
def list_plans(slug: str, request: Request) -> list[PlanOut]:
    """Crop-sharing plans, newest first (members)."""
    with unit_of_work(request) as ctx:
        return [
            plan_out(p) for p in plans.crop_plans(ctx.session, _community(ctx, slug), ctx.viewer)
        ]


@router.post(BASE + "/plans", response_model=PlanOut, status_code=201)
def create_plan(slug: str, body: PlanIn, request: Request) -> PlanOut:
    """Draft a crop-sharing plan with the optimiser (stewards); adopt it through a proposal."""
    with unit_of_work(request) as ctx:
        plan = plans.create_plan(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return plan_out(plan)


@router.get(BASE + "/plans/{plan_id}", response_model=PlanOut)
def get_plan(slug: str, plan_id: Id, request: Request) -> PlanOut:
    """One crop-sharing plan (members)."""
    with unit_of_work(request) as ctx:
        return plan_out(plans.get_plan(ctx.session, _community(ctx, slug), ctx.viewer, plan_id))


@router.get(BASE + "/food-access")
def get_food_access(slug: str, request: Request, catchment_km: float = 1.0) -> dict[str, Any]:
    """Distance from each home to food, low-access shares and 2SFCA scores (members)."""
    with unit_of_work(request) as ctx:
        return plans.food_access_layer(ctx.session, _community(ctx, slug), ctx.viewer, catchment_km)

"""Ecology JSON API: ratings, taxonomy, inventory (JSON and CSV), seed bank, assessments,
crop-sharing plans and the food-access layer."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from commonpot.communities.scope import CommunityScope, community_unit
from commonpot.ecology import assessments, explain, plans, service
from commonpot.ecology import jobs as ecology_jobs
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
from commonpot.http import api_router_for
from commonpot.jobs.web import JobOut, job_out
from commonpot.params import Id, QueryId
from commonpot.parsing import decode_text
from commonpot.templating import reader
from commonpot.words import ENGLISH, Words, worded

router = api_router_for("ecology")
BASE = "/communities/{slug}/ecology"


def crop_out(c: Crop) -> CropOut:
    """The API view of a crop."""
    return CropOut.model_validate(c, from_attributes=True)


def planting_out(p: Planting) -> PlantingOut:
    """The API view of a planting."""
    return PlantingOut.model_validate({**_columns(p), "place": p.place.name, "crop": p.crop.name})


def lot_out(lot: SeedLot) -> SeedLotOut:
    """The API view of a seed lot."""
    return SeedLotOut.model_validate({**_columns(lot), "crop": lot.crop.name})


def assessment_out(session: Session, a: Assessment, words: Words = ENGLISH) -> AssessmentOut:
    """The API view of an assessment (the proposal it is attached to; flags in `words`)."""
    number = assessments.proposal_number(session, a)
    columns = _columns(a)
    columns["report"] = explain.worded_report(columns["report"], words)
    return AssessmentOut.model_validate({**columns, "proposal_number": number})


def plan_out(p: CropPlan, words: Words = ENGLISH) -> PlanOut:
    """The API view of a crop plan (summary and notes in the reader's words)."""
    return PlanOut.model_validate(
        {
            **_columns(p),
            "summary": plans.plan_summary(p).words(words),
            "notes": worded(list(p.notes or []), words),
        }
    )


def _columns(row: object) -> dict[str, Any]:
    table = row.__table__  # type: ignore[attr-defined]
    return {c.key: getattr(row, c.key) for c in table.columns}


@router.get(BASE + "/ratings")
def get_ratings(request: Request, here: CommunityScope, level: str = "crop") -> dict[str, Any]:
    """Diversity ratings of every biodome and garden, with plain-language notes (your language)."""
    rated = service.ratings(here.session, here.community, here.viewer, level)
    if not rated["empty"]:
        rated["explanations"] = explain.ratings(rated["report"], reader(request))
    return rated


@router.get(BASE + "/crops", response_model=list[CropOut])
def list_crops(here: CommunityScope) -> list[CropOut]:
    """The crop taxonomy (members)."""
    return [crop_out(c) for c in service.crops(here.session, here.community, here.viewer)]


@router.post(BASE + "/crops", response_model=CropOut, status_code=201)
def save_crop(body: CropIn, here: CommunityScope) -> CropOut:
    """Add or update a crop by name (members)."""
    return crop_out(service.save_crop(here.session, here.community, here.viewer, body))


@router.get(BASE + "/plantings", response_model=list[PlantingOut])
def list_plantings(here: CommunityScope, place_id: QueryId | None = None) -> list[PlantingOut]:
    """The planting inventory (members)."""
    found = service.plantings(here.session, here.community, here.viewer, place_id)
    return [planting_out(p) for p in found]


@router.post(BASE + "/plantings", response_model=PlantingOut, status_code=201)
def add_planting(body: PlantingIn, here: CommunityScope) -> PlantingOut:
    """Record a planting (members)."""
    return planting_out(service.add_planting(here.session, here.community, here.viewer, body))


@router.delete(BASE + "/plantings/{planting_id}", status_code=204)
def remove_planting(planting_id: Id, here: CommunityScope) -> Response:
    """Take a planting out of the inventory (members)."""
    service.remove_planting(here.session, here.community, here.viewer, planting_id)
    return Response(status_code=204)


@router.get(BASE + "/inventory.csv", response_class=PlainTextResponse)
def export_inventory(here: CommunityScope) -> PlainTextResponse:
    """The inventory as COUNTS.csv (areas in m², members)."""
    text = service.export_inventory_csv(here.session, here.community, here.viewer)
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8")


@router.put(BASE + "/inventory.csv")
async def import_inventory(slug: str, request: Request) -> dict[str, int]:
    """Replace the inventory of the places in a COUNTS.csv body (all rows or none, members)."""
    raw = await request.body()  # truly awaited: the body is read before any database work
    if len(raw) > CSV_LIMIT:
        raise PayloadTooLarge("The CSV file is larger than 2 MB.")
    text = decode_text(raw, field="file", limit=CSV_LIMIT)
    return await run_in_threadpool(_import_inventory, request, slug, text)


def _import_inventory(request: Request, slug: str, text: str) -> dict[str, int]:
    with community_unit(request, slug, write=True) as here:
        count = service.import_inventory_csv(here.session, here.community, here.viewer, text)
        return {"plantings": count}


@router.get(BASE + "/seed-lots", response_model=list[SeedLotOut])
def list_seed_lots(here: CommunityScope) -> list[SeedLotOut]:
    """The seed bank (members)."""
    return [lot_out(x) for x in service.seed_lots(here.session, here.community, here.viewer)]


@router.post(BASE + "/seed-lots", response_model=SeedLotOut, status_code=201)
def add_seed_lot(body: SeedLotIn, here: CommunityScope) -> SeedLotOut:
    """Put seed in the bank (stewards)."""
    return lot_out(service.add_seed_lot(here.session, here.community, here.viewer, body))


@router.get(BASE + "/assessments", response_model=list[AssessmentOut])
def list_assessments(request: Request, here: CommunityScope) -> list[AssessmentOut]:
    """Impact assessments, newest first (members; flags explained in your language)."""
    words = reader(request)
    found = assessments.assessments(here.session, here.community, here.viewer)
    return [assessment_out(here.session, a, words) for a in found]


@router.post(BASE + "/assessments", response_model=AssessmentOut, status_code=201)
def create_assessment(request: Request, body: AssessmentIn, here: CommunityScope) -> AssessmentOut:
    """Assess an "after" inventory against the current one; gamed changes are flagged."""
    found = assessments.create_assessment(here.session, here.community, here.viewer, body)
    return assessment_out(here.session, found, reader(request))


@router.post(BASE + "/assessments/jobs", response_model=JobOut, status_code=202)
def start_assessment(
    body: AssessmentIn, request: Request, here: CommunityScope, response: Response
) -> JobOut:
    """Assess in the background (big inventories, members): 202 and the job to watch."""
    job = ecology_jobs.start_assessment(here.session, here.community, here.viewer, body)
    out = job_out(job, reader(request))
    response.headers["Location"] = out.url
    return out


@router.get(BASE + "/assessments/{assessment_id}", response_model=AssessmentOut)
def get_assessment(request: Request, assessment_id: Id, here: CommunityScope) -> AssessmentOut:
    """One assessment (members; flags explained in your language)."""
    found = assessments.get_assessment(here.session, here.community, here.viewer, assessment_id)
    return assessment_out(here.session, found, reader(request))


@router.post(BASE + "/assessments/{assessment_id}/attach", response_model=AssessmentOut)
def attach_assessment(
    request: Request, assessment_id: Id, body: AttachIn, here: CommunityScope
) -> AssessmentOut:
    """Attach an assessment to a governance proposal (members)."""
    found = assessments.attach_assessment(
        here.session, here.community, here.viewer, assessment_id, body.proposal_number
    )
    return assessment_out(here.session, found, reader(request))


@router.get(BASE + "/plans", response_model=list[PlanOut])
def list_plans(request: Request, here: CommunityScope) -> list[PlanOut]:
    """Crop-sharing plans, newest first (members)."""
    words = reader(request)
    found = plans.crop_plans(here.session, here.community, here.viewer)
    return [plan_out(p, words) for p in found]


@router.post(BASE + "/plans", response_model=PlanOut, status_code=201)
def create_plan(request: Request, body: PlanIn, here: CommunityScope) -> PlanOut:
    """Draft a crop-sharing plan with the optimiser (stewards); adopt it through a proposal."""
    plan = plans.create_plan(here.session, here.community, here.viewer, body)
    return plan_out(plan, reader(request))


@router.post(BASE + "/plans/jobs", response_model=JobOut, status_code=202)
def start_plan(body: PlanIn, request: Request, here: CommunityScope, response: Response) -> JobOut:
    """Draft a crop-sharing plan in the background (stewards): 202 and the job to watch."""
    job = ecology_jobs.start_plan(here.session, here.community, here.viewer, body)
    out = job_out(job, reader(request))
    response.headers["Location"] = out.url
    return out


@router.get(BASE + "/plans/{plan_id}", response_model=PlanOut)
def get_plan(request: Request, plan_id: Id, here: CommunityScope) -> PlanOut:
    """One crop-sharing plan (members)."""
    plan = plans.get_plan(here.session, here.community, here.viewer, plan_id)
    return plan_out(plan, reader(request))


@router.get(BASE + "/food-access")
def get_food_access(here: CommunityScope, catchment_km: float = 1.0) -> dict[str, Any]:
    """Distance from each home to food, low-access shares and 2SFCA scores (members)."""
    return plans.food_access_layer(here.session, here.community, here.viewer, catchment_km)

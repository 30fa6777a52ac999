"""Network JSON API: offers, needs, priority groups, foraging patches, allocation runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response, Security
from sqlalchemy.orm import Session

from commonpot.communities import service as communities
from commonpot.communities.models import Community
from commonpot.http import Ctx, bearer_scheme, unit_of_work
from commonpot.jobs.web import JobOut, job_out
from commonpot.network import jobs as network_jobs
from commonpot.network import runs, service
from commonpot.network.models import AllocationRun, ForagingPatch, Harvest, Need, Offer
from commonpot.network.schemas import (
    AssignmentOut,
    GroupIn,
    GroupOut,
    HarvestIn,
    HarvestOut,
    NeedIn,
    NeedOut,
    OfferIn,
    OfferOut,
    PatchIn,
    PatchOut,
    PickupIn,
    RunIn,
    RunOut,
)
from commonpot.params import Id

router = APIRouter(prefix="/api", tags=["network"], dependencies=[Security(bearer_scheme)])
BASE = "/communities/{slug}/network"


def _community(ctx: Ctx, slug: str) -> Community:
    return communities.readable_community(ctx.session, slug, ctx.viewer)


def offer_out(o: Offer) -> OfferOut:
    """The API view of an offer."""
    return OfferOut(
        id=o.id,
        category=o.category,
        description=o.description,
        quantity=o.quantity,
        allocated=o.allocated,
        lat=o.lat,
        lon=o.lon,
        expires_at=o.expires_at,
        status=o.status,
    )


def need_out(n: Need) -> NeedOut:
    """The API view of a need."""
    return NeedOut(
        id=n.id,
        category=n.category,
        description=n.description,
        quantity=n.quantity,
        received=n.received,
        lat=n.lat,
        lon=n.lon,
        group_id=n.group_id,
        status=n.status,
    )


def patch_out(session: Session, p: ForagingPatch) -> PatchOut:
    """The API view of a patch."""
    return PatchOut(
        id=p.id,
        name=p.name,
        species=p.species,
        lat=p.lat,
        lon=p.lon,
        sustainable_yield_kg=p.sustainable_yield_kg,
        season_start_month=p.season_start_month,
        harvested_this_season_kg=service.harvested_this_season(session, p),
        notes=p.notes,
    )


def harvest_out(h: Harvest) -> HarvestOut:
    """The API view of a harvest."""
    return HarvestOut(
        id=h.id,
        patch_id=h.patch_id,
        quantity_kg=h.quantity_kg,
        harvested_at=h.harvested_at,
        note=h.note,
    )


def run_out(session: Session, run: AllocationRun) -> RunOut:
    """The API view of a run with its lines."""
    return RunOut(
        id=run.id,
        objective=run.objective,
        status=run.status,
        params=run.params,
        metrics=run.metrics,
        baseline_metrics=run.baseline_metrics,
        created_at=run.created_at,
        committed_at=run.committed_at,
        assignments=[
            AssignmentOut(
                id=a.id,
                offer_id=a.offer_id,
                need_id=a.need_id,
                quantity=a.quantity,
                distance_km=a.distance_km,
                pickup_user_id=a.pickup_user_id,
                picked_up_at=a.picked_up_at,
            )
            for a in runs.lines(session, run)
        ],
    )


@router.get(BASE + "/offers", response_model=list[OfferOut])
def list_offers(slug: str, request: Request, status: str | None = None) -> list[OfferOut]:
    """The community's offers (members)."""
    with unit_of_work(request) as ctx:
        found = service.visible_offers(
            ctx.session, _community(ctx, slug), ctx.viewer, status=status
        )
        return [offer_out(o) for o in found]


@router.post(BASE + "/offers", response_model=OfferOut, status_code=201)
def create_offer(slug: str, body: OfferIn, request: Request) -> OfferOut:
    """Offer food (members)."""
    with unit_of_work(request) as ctx:
        offer = service.create_offer(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return offer_out(offer)


@router.post(BASE + "/offers/{offer_id}/withdraw", response_model=OfferOut)
def withdraw_offer(slug: str, offer_id: Id, request: Request) -> OfferOut:
    """Withdraw what is left of an offer (its author or a steward)."""
    with unit_of_work(request) as ctx:
        return offer_out(
            service.withdraw_offer(ctx.session, _community(ctx, slug), ctx.viewer, offer_id)
        )


@router.get(BASE + "/needs", response_model=list[NeedOut])
def list_needs(slug: str, request: Request, status: str | None = None) -> list[NeedOut]:
    """Needs you may see: your own, or all of them for stewards."""
    with unit_of_work(request) as ctx:
        found = service.visible_needs(ctx.session, _community(ctx, slug), ctx.viewer, status=status)
        return [need_out(n) for n in found]


@router.post(BASE + "/needs", response_model=NeedOut, status_code=201)
def create_need(slug: str, body: NeedIn, request: Request) -> NeedOut:
    """Ask for food (members)."""
    with unit_of_work(request) as ctx:
        need = service.create_need(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return need_out(need)


@router.post(BASE + "/needs/{need_id}/withdraw", response_model=NeedOut)
def withdraw_need(slug: str, need_id: Id, request: Request) -> NeedOut:
    """Withdraw a need (its author or a steward)."""
    with unit_of_work(request) as ctx:
        return need_out(
            service.withdraw_need(ctx.session, _community(ctx, slug), ctx.viewer, need_id)
        )


@router.get(BASE + "/groups", response_model=list[GroupOut])
def list_groups(slug: str, request: Request) -> list[GroupOut]:
    """Priority groups, most urgent first (members)."""
    with unit_of_work(request) as ctx:
        found = service.groups(ctx.session, _community(ctx, slug), ctx.viewer)
        return [
            GroupOut(id=g.id, name=g.name, priority=g.priority, description=g.description)
            for g in found
        ]


@router.post(BASE + "/groups", response_model=GroupOut, status_code=201)
def create_group(slug: str, body: GroupIn, request: Request) -> GroupOut:
    """Define a priority group (stewards)."""
    with unit_of_work(request) as ctx:
        g = service.create_group(
            ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump()
        )
        return GroupOut(id=g.id, name=g.name, priority=g.priority, description=g.description)


@router.get(BASE + "/patches", response_model=list[PatchOut])
def list_patches(slug: str, request: Request) -> list[PatchOut]:
    """Foraging patches with this season's harvest (members)."""
    with unit_of_work(request) as ctx:
        found = service.patches(ctx.session, _community(ctx, slug), ctx.viewer)
        return [patch_out(ctx.session, p) for p in found]


@router.post(BASE + "/patches", response_model=PatchOut, status_code=201)
def save_patch(slug: str, body: PatchIn, request: Request) -> PatchOut:
    """Map a patch, or update the one with that name (members)."""
    with unit_of_work(request) as ctx:
        p = service.save_patch(ctx.session, _community(ctx, slug), ctx.viewer, **body.model_dump())
        return patch_out(ctx.session, p)


@router.get(BASE + "/patches.geojson")
def export_patches(slug: str, request: Request) -> dict[str, Any]:
    """The patches as a GeoJSON FeatureCollection (members)."""
    with unit_of_work(request) as ctx:
        return service.patches_geojson(ctx.session, _community(ctx, slug), ctx.viewer)


@router.post(BASE + "/patches.geojson", response_model=list[PatchOut])
def import_patches(
    slug: str, request: Request, geojson: dict[str, Any] = Body(...)
) -> list[PatchOut]:
    """Import patches from a GeoJSON FeatureCollection, by name (members)."""
    with unit_of_work(request) as ctx:
        saved = service.import_geojson(ctx.session, _community(ctx, slug), ctx.viewer, geojson)
        return [patch_out(ctx.session, p) for p in saved]


@router.get(BASE + "/patches/{patch_id}/harvests", response_model=list[HarvestOut])
def list_harvests(slug: str, patch_id: Id, request: Request) -> list[HarvestOut]:
    """A patch's harvest log, newest first (members)."""
    with unit_of_work(request) as ctx:
        found = service.harvests(ctx.session, _community(ctx, slug), ctx.viewer, patch_id)
        return [harvest_out(h) for h in found]


@router.post(BASE + "/patches/{patch_id}/harvests", response_model=HarvestOut, status_code=201)
def log_harvest(slug: str, patch_id: Id, body: HarvestIn, request: Request) -> HarvestOut:
    """Log a harvest within the patch's sustainable yield (members)."""
    with unit_of_work(request) as ctx:
        h = service.log_harvest(
            ctx.session, _community(ctx, slug), ctx.viewer, patch_id, **body.model_dump()
        )
        return harvest_out(h)


@router.get(BASE + "/runs", response_model=list[RunOut])
def list_runs(slug: str, request: Request) -> list[RunOut]:
    """Allocation runs, newest first (stewards)."""
    with unit_of_work(request) as ctx:
        found = runs.runs(ctx.session, _community(ctx, slug), ctx.viewer)
        return [run_out(ctx.session, r) for r in found]


@router.post(BASE + "/runs", response_model=RunOut, status_code=201)
def create_run(slug: str, body: RunIn, request: Request) -> RunOut:
    """Propose a plan from open offers and needs, with a fairness report vs FCFS (stewards)."""
    with unit_of_work(request) as ctx:
        run = runs.create_run(
            ctx.session,
            _community(ctx, slug),
            ctx.viewer,
            objective=body.objective,
            params=body.params,
        )
        return run_out(ctx.session, run)


@router.post(BASE + "/runs/jobs", response_model=JobOut, status_code=202)
def start_run(slug: str, body: RunIn, request: Request, response: Response) -> JobOut:
    """Start solving a run in the background (stewards): 202 and the job to watch."""
    with unit_of_work(request) as ctx:
        job = network_jobs.start_allocation(
            ctx.session,
            _community(ctx, slug),
            ctx.viewer,
            objective=body.objective,
            params=body.params,
        )
        out = job_out(job)
    response.headers["Location"] = out.url
    return out


@router.get(BASE + "/runs/{run_id}", response_model=RunOut)
def get_run(slug: str, run_id: Id, request: Request) -> RunOut:
    """One allocation run with its lines (stewards)."""
    with unit_of_work(request) as ctx:
        return run_out(
            ctx.session, runs.get_run(ctx.session, _community(ctx, slug), ctx.viewer, run_id)
        )


@router.post(BASE + "/runs/{run_id}/commit", response_model=RunOut)
def commit_run(slug: str, run_id: Id, request: Request) -> RunOut:
    """Commit a draft run atomically; 409 if any line no longer fits (stewards)."""
    with unit_of_work(request) as ctx:
        run = runs.commit_run(ctx.session, _community(ctx, slug), ctx.viewer, run_id)
        return run_out(ctx.session, run)


@router.post(BASE + "/assignments/{assignment_id}/pickup", response_model=AssignmentOut)
def pickup(slug: str, assignment_id: Id, body: PickupIn, request: Request) -> AssignmentOut:
    """Volunteer to carry a line, or assign a member to it (stewards)."""
    with unit_of_work(request) as ctx:
        a = runs.assign_pickup(
            ctx.session, _community(ctx, slug), ctx.viewer, assignment_id, body.user_id
        )
        return AssignmentOut(
            id=a.id,
            offer_id=a.offer_id,
            need_id=a.need_id,
            quantity=a.quantity,
            distance_km=a.distance_km,
            pickup_user_id=a.pickup_user_id,
            picked_up_at=a.picked_up_at,
        )

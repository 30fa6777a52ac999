"""Network JSON API: offers, needs, priority groups, foraging patches, allocation runs."""

from __future__ import annotations

from typing import Any

from fastapi import BackgroundTasks, Body, Request, Response
from sqlalchemy.orm import Session

from commonpot.communities.scope import CommunityScope
from commonpot.errors import Invalid, NotFound
from commonpot.http import api_router_for, say_pages
from commonpot.i18n import reader
from commonpot.jobs.web import JobOut, job_out
from commonpot.network import handovers, live, runs, service
from commonpot.network import jobs as network_jobs
from commonpot.network.models import AllocationRun, ForagingPatch, Harvest, Need, Offer
from commonpot.network.schemas import (
    AssignmentOut,
    CircumstancesIn,
    GroupIn,
    GroupOut,
    HandoverOut,
    HarvestIn,
    HarvestOut,
    NeedGroupIn,
    NeedIn,
    NeedOut,
    OfferIn,
    OfferOut,
    PatchIn,
    PatchOut,
    PickupIn,
    RunIn,
    RunOut,
    WindowIn,
)
from commonpot.params import Id, Paged

router = api_router_for("network")
BASE = "/communities/{slug}/network"


def offer_out(o: Offer) -> OfferOut:
    """The API view of an offer."""
    return OfferOut(
        id=o.id,
        category=o.category,
        description=o.description,
        quantity=o.quantity,
        unit=o.unit,
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
        unit=n.unit,
        received=n.received,
        lat=n.lat,
        lon=n.lon,
        group_id=n.group_id,
        status=n.status,
        circumstances=list(n.circumstances or []),
        circumstances_note=n.circumstances_note,
        priority_consent=n.priority_consent,
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
def list_offers(
    here: CommunityScope, response: Response, window: Paged, status: str | None = None
) -> list[OfferOut]:
    """The community's offers, oldest first (members); a page of them with `limit`."""
    found = service.visible_offers(
        here.session, here.community, here.viewer, status=status, window=window
    )
    say_pages(here.request, response, window, len(found))
    return [offer_out(o) for o in found]


@router.post(BASE + "/offers", response_model=OfferOut, status_code=201)
def create_offer(body: OfferIn, here: CommunityScope) -> OfferOut:
    """Offer food (members)."""
    offer = service.create_offer(here.session, here.community, here.viewer, **body.model_dump())
    return offer_out(offer)


@router.post(BASE + "/offers/{offer_id}/withdraw", response_model=OfferOut)
def withdraw_offer(offer_id: Id, here: CommunityScope) -> OfferOut:
    """Withdraw what is left of an offer (its author or a steward)."""
    return offer_out(service.withdraw_offer(here.session, here.community, here.viewer, offer_id))


@router.get(BASE + "/needs", response_model=list[NeedOut])
def list_needs(
    here: CommunityScope, response: Response, window: Paged, status: str | None = None
) -> list[NeedOut]:
    """Needs you may see, oldest first: your own, or all of them for stewards; a page of
    them with `limit`."""
    found = service.visible_needs(
        here.session, here.community, here.viewer, status=status, window=window
    )
    say_pages(here.request, response, window, len(found))
    return [need_out(n) for n in found]


@router.post(BASE + "/needs", response_model=NeedOut, status_code=201)
def create_need(body: NeedIn, here: CommunityScope) -> NeedOut:
    """Ask for food (members)."""
    need = service.create_need(here.session, here.community, here.viewer, **body.model_dump())
    return need_out(need)


@router.put(BASE + "/needs/{need_id}/circumstances", response_model=NeedOut)
def state_circumstances(need_id: Id, body: CircumstancesIn, here: CommunityScope) -> NeedOut:
    """State circumstances and consent to a priority group (only the person who asked)."""
    need = service.state_circumstances(
        here.session,
        here.community,
        here.viewer,
        need_id,
        circumstances=body.circumstances,
        note=body.circumstances_note,
        consent=body.priority_consent,
    )
    return need_out(need)


@router.put(BASE + "/needs/{need_id}/group", response_model=NeedOut)
def assign_group(need_id: Id, body: NeedGroupIn, here: CommunityScope) -> NeedOut:
    """Place a need in a priority group, from its circumstances (stewards; needs consent)."""
    need = service.assign_group(here.session, here.community, here.viewer, need_id, body.group_id)
    return need_out(need)


@router.post(BASE + "/needs/{need_id}/withdraw", response_model=NeedOut)
def withdraw_need(need_id: Id, here: CommunityScope) -> NeedOut:
    """Withdraw a need (its author or a steward)."""
    return need_out(service.withdraw_need(here.session, here.community, here.viewer, need_id))


@router.get(BASE + "/groups", response_model=list[GroupOut])
def list_groups(here: CommunityScope) -> list[GroupOut]:
    """Priority groups, most urgent first (members)."""
    found = service.groups(here.session, here.community, here.viewer)
    steward = service.is_steward(here.session, here.community, here.viewer)
    return [
        GroupOut(
            id=g.id,
            name=g.name,
            priority=g.priority if steward else None,  # weights are stewards' business
            description=g.description,
        )
        for g in found
    ]


@router.post(BASE + "/groups", response_model=GroupOut, status_code=201)
def create_group(body: GroupIn, here: CommunityScope) -> GroupOut:
    """Define a priority group (stewards)."""
    g = service.create_group(here.session, here.community, here.viewer, **body.model_dump())
    return GroupOut(id=g.id, name=g.name, priority=g.priority, description=g.description)


@router.get(BASE + "/patches", response_model=list[PatchOut])
def list_patches(here: CommunityScope) -> list[PatchOut]:
    """Foraging patches with this season's harvest (members)."""
    found = service.patches(here.session, here.community, here.viewer)
    return [patch_out(here.session, p) for p in found]


@router.post(BASE + "/patches", response_model=PatchOut, status_code=201)
def save_patch(body: PatchIn, here: CommunityScope) -> PatchOut:
    """Map a patch, or update the one with that name (members)."""
    p = service.save_patch(here.session, here.community, here.viewer, **body.model_dump())
    return patch_out(here.session, p)


@router.get(BASE + "/patches.geojson")
def export_patches(here: CommunityScope) -> dict[str, Any]:
    """The patches as a GeoJSON FeatureCollection (members)."""
    return service.patches_geojson(here.session, here.community, here.viewer)


@router.post(BASE + "/patches.geojson", response_model=list[PatchOut])
def import_patches(here: CommunityScope, geojson: dict[str, Any] = Body(...)) -> list[PatchOut]:
    """Import patches from a GeoJSON FeatureCollection, by name (members)."""
    saved = service.import_geojson(here.session, here.community, here.viewer, geojson)
    return [patch_out(here.session, p) for p in saved]


@router.get(BASE + "/patches/{patch_id}/harvests", response_model=list[HarvestOut])
def list_harvests(patch_id: Id, here: CommunityScope) -> list[HarvestOut]:
    """A patch's harvest log, newest first (members)."""
    found = service.harvests(here.session, here.community, here.viewer, patch_id)
    return [harvest_out(h) for h in found]


@router.post(BASE + "/patches/{patch_id}/harvests", response_model=HarvestOut, status_code=201)
def log_harvest(patch_id: Id, body: HarvestIn, here: CommunityScope) -> HarvestOut:
    """Log a harvest within the patch's sustainable yield (members)."""
    h = service.log_harvest(
        here.session, here.community, here.viewer, patch_id, **body.model_dump()
    )
    return harvest_out(h)


@router.get(BASE + "/runs", response_model=list[RunOut])
def list_runs(here: CommunityScope, response: Response, window: Paged) -> list[RunOut]:
    """Allocation runs, newest first (stewards); a page of them with `limit`."""
    found = runs.runs(here.session, here.community, here.viewer, window)
    say_pages(here.request, response, window, len(found))
    return [run_out(here.session, r) for r in found]


@router.post(BASE + "/runs", response_model=RunOut, status_code=201)
def create_run(body: RunIn, here: CommunityScope) -> RunOut:
    """Propose a plan from open offers and needs, with a fairness report vs FCFS (stewards)."""
    run = runs.create_run(
        here.session,
        here.community,
        here.viewer,
        objective=body.objective,
        params=body.params,
    )
    return run_out(here.session, run)


@router.post(BASE + "/runs/jobs", response_model=JobOut, status_code=202)
def start_run(body: RunIn, request: Request, here: CommunityScope, response: Response) -> JobOut:
    """Start solving a run in the background (stewards): 202 and the job to watch."""
    job = network_jobs.start_allocation(
        here.session,
        here.community,
        here.viewer,
        objective=body.objective,
        params=body.params,
    )
    out = job_out(job, reader(request))
    response.headers["Location"] = out.url
    return out


@router.get(BASE + "/runs/{run_id}", response_model=RunOut)
def get_run(run_id: Id, here: CommunityScope) -> RunOut:
    """One allocation run with its lines (stewards)."""
    return run_out(here.session, runs.get_run(here.session, here.community, here.viewer, run_id))


@router.post(BASE + "/runs/{run_id}/commit", response_model=RunOut)
def commit_run(run_id: Id, here: CommunityScope) -> RunOut:
    """Commit a draft run atomically; 409 if any line no longer fits (stewards)."""
    run = runs.commit_run(here.session, here.community, here.viewer, run_id)
    return run_out(here.session, run)


@router.post(BASE + "/assignments/{assignment_id}/pickup", response_model=AssignmentOut)
def pickup(assignment_id: Id, body: PickupIn, here: CommunityScope) -> AssignmentOut:
    """Volunteer to carry a line, or assign a member to it (stewards)."""
    a = runs.assign_pickup(here.session, here.community, here.viewer, assignment_id, body.user_id)
    return AssignmentOut(
        id=a.id,
        offer_id=a.offer_id,
        need_id=a.need_id,
        quantity=a.quantity,
        distance_km=a.distance_km,
        pickup_user_id=a.pickup_user_id,
        picked_up_at=a.picked_up_at,
    )


@router.get(BASE + "/handovers", response_model=list[HandoverOut])
def list_handovers(
    here: CommunityScope, response: Response, window: Paged, role: str = "recipient"
) -> list[HandoverOut]:
    """My handovers as recipient (default), donor or volunteer (members): open ones first,
    soonest first, then the rest, the latest first; a page of them with `limit`."""
    listers = {
        "recipient": handovers.my_food,
        "donor": handovers.my_offers,
        "volunteer": handovers.my_carrying,
    }
    if role not in listers:
        raise Invalid("role: must be recipient, donor or volunteer", field="role")
    found = listers[role](here.session, here.community, here.viewer, window)
    say_pages(here.request, response, window, len(found))
    return [HandoverOut.model_validate(h) for h in found]


@router.get(BASE + "/handovers/{handover_id}", response_model=HandoverOut)
def get_handover(handover_id: Id, here: CommunityScope) -> HandoverOut:
    """One handover (the people involved and the stewards)."""
    found = handovers.get_handover(here.session, here.community, here.viewer, handover_id)
    return HandoverOut.model_validate(found)


@router.post(BASE + "/handovers/{handover_id}/{step}", response_model=HandoverOut)
def handover_step(
    handover_id: Id,
    step: str,
    here: CommunityScope,
    background: BackgroundTasks,
    body: WindowIn | None = None,
) -> HandoverOut:
    """Move a handover: confirm, window, decline (recipient); volunteer; picked-up, handed-over."""
    window = body or WindowIn()
    s, c, v = here.session, here.community, here.viewer
    if step == "confirm":
        found = handovers.confirm(
            s, c, v, handover_id, window_start=window.window_start, window_end=window.window_end
        )
    elif step == "window":
        if window.window_start is None or window.window_end is None:
            raise Invalid("window_start: both ends of the window are needed", field="window_start")
        found = handovers.change_window(
            s, c, v, handover_id, window_start=window.window_start, window_end=window.window_end
        )
    elif step == "decline":
        found = handovers.decline(s, c, v, handover_id)
    elif step == "volunteer":
        found = handovers.volunteer(s, c, v, handover_id)
    elif step == "picked-up":
        found = handovers.mark_picked_up(s, c, v, handover_id)
    elif step == "handed-over":
        found = handovers.mark_handed_over(s, c, v, handover_id)
    else:
        raise NotFound("No such step.")
    background.add_task(live.publish_queued, here.request.app.state, here.session)
    return HandoverOut.model_validate(found)

"""Ecology use cases that plan: crop-sharing plans and the food-access layer.

A crop plan is drafted by a background job (`ecology/jobs.py`): the request checks the
input (`check_plan`), the job solves (`cropshare.plan_crop_sharing`, pure) and stores
(`store_plan`); `create_plan` does all three at once (CLI, demo, synchronous API).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from commonpot import communities
from commonpot.accounts import Viewer
from commonpot.communities import Community, Place, PlaceKind
from commonpot.db import utcnow
from commonpot.ecology import cropshare
from commonpot.ecology.food_access import (
    KM_PER_MILE,
    UNIT_SYSTEMS,
    Population,
    Sources,
    food_access,
    in_units,
)
from commonpot.ecology.models import CropPlan, PlanStatus, Planting, SeedLot
from commonpot.ecology.schemas import PlanIn
from commonpot.ecology.service import (
    growing_places,
    lock_place,
    require_reader,
    require_steward,
    used_area,
)
from commonpot.errors import N_, Conflict, Invalid
from commonpot.offload import cpu_bound
from commonpot.tenancy import find_scoped, get_scoped, select_scoped
from commonpot.words import Said, said_n

SOURCE_KINDS = (
    PlaceKind.MARKET.value,
    PlaceKind.GARDEN.value,
    PlaceKind.BIODOME.value,
    PlaceKind.KITCHEN.value,
)


# --- crop-sharing plans -----------------------------------------------------------------------


def _problem(
    session: Session, community: Community, min_plot_area: float, gamma_floor: float | None
) -> cropshare.CropShareProblem:
    places = [p for p in growing_places(session, community) if p.climate_class]
    inventories: dict[str, dict[str, float]] = {str(p.id): defaultdict(float) for p in places}
    crops: dict[str, set[str]] = {}
    for planting in session.scalars(select_scoped(Planting, community.id)):
        key = str(planting.place_id)
        if key in inventories:
            inventories[key][planting.crop.name] += planting.area_m2
        crops[planting.crop.name] = set(planting.crop.climates)
    domes = [
        cropshare.Dome(
            str(p.id),
            str(p.climate_class),
            max((p.area_m2 or 0.0) - used_area(session, p), 0.0),
        )
        for p in places
    ]
    held = {str(p.id) for p in places}
    lots = []
    for lot in session.scalars(select_scoped(SeedLot, community.id)):
        if lot.quantity <= 0:
            continue
        crops[lot.crop.name] = set(lot.crop.climates)
        holder = str(lot.holder_place_id) if lot.holder_place_id is not None else None
        lots.append(
            cropshare.SeedLot(
                id=str(lot.id),
                crop=lot.crop.name,
                variety=lot.variety,
                quantity=lot.quantity,
                unit="seeds" if lot.unit == "seeds" else "m2",
                seeds_per_m2=lot.crop.seeds_per_m2,
                holder=holder if holder in held else None,
            )
        )
    return cropshare.CropShareProblem(
        domes=domes,
        inventories={k: dict(v) for k, v in inventories.items()},
        seed_lots=lots,
        compatibility=crops,
        min_plot_area=min_plot_area,
        gamma_floor=gamma_floor,
        time_limit=20.0,
    )


def _profile_json(profile: cropshare.Profile, names: dict[str, str]) -> dict[str, Any]:
    data = asdict(profile)
    for row in data["domes"]:
        row["name"] = names.get(row["dome"], row["dome"])
    return data


def check_plan(
    session: Session, community: Community, viewer: Viewer, body: PlanIn
) -> cropshare.CropShareProblem:
    """The problem the optimiser will solve, once the viewer (stewards) and places pass."""
    require_steward(session, community, viewer)
    problem = _problem(session, community, body.min_plot_area, body.gamma_floor)
    if not problem.domes:
        raise Invalid("No biodome or garden has a climate class yet; set one on the place first.")
    return problem


def summary_of(moves: int, before: dict[str, Any], after: dict[str, Any]) -> Said:
    """What a plan does, in one sentence (worded for the reader where it is shown)."""
    return said_n(
        "%(num)s planting; the least diverse place goes from %(low_before)s to %(low_after)s "
        "effective crops, all places together from %(gamma_before)s to %(gamma_after)s.",
        "%(num)s plantings; the least diverse place goes from %(low_before)s to %(low_after)s "
        "effective crops, all places together from %(gamma_before)s to %(gamma_after)s.",
        moves,
        low_before=float(before.get("min_hill_1") or 0),
        low_after=float(after.get("min_hill_1") or 0),
        gamma_before=float(before.get("gamma") or 0),
        gamma_after=float(after.get("gamma") or 0),
    )


def plan_summary(plan: CropPlan) -> Said:
    """The summary of a stored plan, from its moves and diversity before and after."""
    return summary_of(len(plan.moves or []), plan.before or {}, plan.after or {})


def store_plan(
    session: Session,
    community: Community,
    author_id: int | None,
    body: PlanIn,
    result: cropshare.CropSharePlan,
) -> CropPlan:
    """Keep a solved plan as a draft, with names a reader knows."""
    names = {str(p.id): p.name for p in growing_places(session, community)}
    lots = {str(lot.id): lot.code for lot in session.scalars(select_scoped(SeedLot, community.id))}
    moves = [
        {
            "lot_id": int(m.lot_id),
            "lot": lots.get(m.lot_id, m.lot_id),
            "crop": m.crop,
            "variety": m.variety,
            "from": names.get(m.from_holder or "", "seed bank"),
            "place_id": int(m.to_dome),
            "place": names.get(m.to_dome, m.to_dome),
            "area_m2": m.area_m2,
            "seeds": m.seeds,
            "plot_m2": m.plot_m2,
            "existing_m2": m.existing_m2,
        }
        for m in result.moves
    ]
    before = _profile_json(result.before, names)
    after = _profile_json(result.after, names)
    summary = str(summary_of(len(moves), before, after))
    plan = CropPlan(
        community_id=community.id,
        author_id=author_id,
        params={"min_plot_area": body.min_plot_area, "gamma_floor": body.gamma_floor},
        moves=moves,
        before=before,
        after=after,
        notes=[note.to_json() for note in result.notes],
        summary=summary,
    )
    session.add(plan)
    session.flush()
    return plan


def create_plan(session: Session, community: Community, viewer: Viewer, body: PlanIn) -> CropPlan:
    """Ask the optimiser for a crop-sharing plan (stewards); infeasible floors are explained."""
    problem = check_plan(session, community, viewer, body)
    size = len(problem.domes) * max(1, len(problem.seed_lots))
    result = cpu_bound(size, cropshare.plan_crop_sharing, problem)
    return store_plan(session, community, viewer.user_id, body, result)


def crop_plans(session: Session, community: Community, viewer: Viewer) -> list[CropPlan]:
    """Every crop plan, newest first."""
    require_reader(session, community, viewer)
    query = select_scoped(CropPlan, community.id)
    return list(session.scalars(query.order_by(CropPlan.id.desc())))


def get_plan(session: Session, community: Community, viewer: Viewer, plan_id: int) -> CropPlan:
    """One crop plan, or NotFound."""
    require_reader(session, community, viewer)
    return get_scoped(
        session, CropPlan, plan_id, community.id, missing=N_("No such crop plan here.")
    )


def _sow(session: Session, community: Community, move: dict[str, Any]) -> None:
    lot = find_scoped(session, SeedLot, move["lot_id"], community.id)
    if lot is None:
        raise Conflict("Seed lot %(code)s is gone; draft a new plan.", code=str(move["lot"]))
    need = float(move["seeds"]) if lot.unit == "seeds" else float(move["area_m2"])
    # a conditional UPDATE takes the seed atomically: two adoptions cannot both take it
    taken = session.execute(
        update(SeedLot)
        .where(SeedLot.id == lot.id, SeedLot.quantity >= need - 1e-6)
        .values(quantity=case((SeedLot.quantity < need, 0.0), else_=SeedLot.quantity - need))
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        session.refresh(lot)
        raise Conflict(
            "Seed lot %(code)s has %(left)s %(unit)s left, the plan needs %(need)s.",
            code=lot.code,
            left=float(lot.quantity),
            unit=lot.unit,
            need=float(need),
        )


def adopt_plan(session: Session, community: Community, plan_id: int) -> CropPlan:
    """Carry out a draft plan once: take the seed, record the plantings (all or nothing)."""
    claimed = session.execute(
        update(CropPlan)
        .where(
            CropPlan.id == plan_id,
            CropPlan.community_id == community.id,
            CropPlan.status == PlanStatus.DRAFT.value,
        )
        .values(status=PlanStatus.ADOPTED.value, adopted_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict(
            "Crop plan %(plan)s is not a draft any more (or does not exist here).",
            plan=str(plan_id),
        )
    plan = session.get(CropPlan, plan_id)
    assert plan is not None
    session.refresh(plan)
    adding: dict[int, float] = defaultdict(float)
    for move in plan.moves:
        adding[int(move["place_id"])] += float(move["area_m2"])
    for place_id, area in sorted(adding.items()):  # lock places in id order (no deadlock)
        place = communities.get_place(session, community, place_id)
        lock_place(session, place)
        free = (place.area_m2 or 0.0) - used_area(session, place)
        if area > free + 1e-3:
            raise Conflict(
                "%(place)s has only %(free)s m² free now; draft a new plan.",
                place=place.name,
                free=float(free),
            )
    for move in plan.moves:
        _sow(session, community, move)
        crop_id = session.scalar(select(SeedLot.crop_id).where(SeedLot.id == move["lot_id"]))
        session.add(
            Planting(
                community_id=community.id,
                place_id=int(move["place_id"]),
                crop_id=crop_id,
                variety=move["variety"],
                area_m2=float(move["area_m2"]),
                plan_id=plan.id,
                plot="shared seed",
            )
        )
    session.flush()
    return plan


# --- food access ------------------------------------------------------------------------------


def unit_system(community: Community) -> str:
    """The community's choice of units for food access: "metric" (default) or "imperial"."""
    chosen = (community.settings or {}).get("unit_system", "metric")
    return chosen if chosen in UNIT_SYSTEMS else "metric"


def _units(community: Community) -> dict[str, Any]:
    system = unit_system(community)
    units = UNIT_SYSTEMS[system]
    return {"system": system, "distance": units["distance"], "area": units["area"]}


def set_unit_system(session: Session, community: Community, viewer: Viewer, system: str) -> None:
    """Choose the community's units for food access (stewards)."""
    require_steward(session, community, viewer)
    if system not in UNIT_SYSTEMS:
        raise Invalid("Choose metric (km, m²) or imperial (miles, ft²).", field="unit_system")
    community.settings = {**(community.settings or {}), "unit_system": system}
    session.flush()


def food_access_layer(
    session: Session, community: Community, viewer: Viewer, catchment_km: float = 1.0
) -> dict[str, Any]:
    """Distance from each enclave or household to food, low-access shares and 2SFCA scores."""
    require_reader(session, community, viewer)
    if not 0 < catchment_km <= 200:
        raise Invalid("The catchment radius is between 0 and 200 km.", field="catchment_km")
    places = list(session.scalars(select_scoped(Place, community.id)))
    homes = [p for p in places if p.population]
    sources = [p for p in places if p.kind in SOURCE_KINDS]
    if not homes or not sources:
        return {
            "homes": [],
            "sources": [],
            "low_access": [],
            "catchment_km": catchment_km,
            "units": _units(community),
        }
    population = Population.of(
        [p.lat for p in homes], [p.lon for p in homes], [p.population or 0 for p in homes]
    )
    supply = Sources.of(
        [p.lat for p in sources],
        [p.lon for p in sources],
        capacity=[max(p.area_m2 or 100.0, 1.0) for p in sources],
    )
    report = food_access(population, supply, catchment_km=catchment_km)
    assert report.accessibility is not None
    system = unit_system(community)
    return {
        "catchment_km": catchment_km,
        "homes": [
            {
                "id": p.id,
                "name": p.name,
                "lat": p.lat,
                "lon": p.lon,
                "people": p.population,
                "nearest": sources[int(report.nearest.source[i])].name,
                "km": float(report.nearest.km[i]),
                "score": float(report.accessibility.score[i]),
                "distance": in_units(system, km=float(report.nearest.km[i])),
                "space_per_person": in_units(system, m2=float(report.accessibility.score[i])),
            }
            for i, p in enumerate(homes)
        ],
        "sources": [
            {"id": p.id, "name": p.name, "kind": p.kind, "lat": p.lat, "lon": p.lon}
            for p in sources
        ],
        "low_access": [
            asdict(s) | {"distance": in_units(system, km=s.miles * KM_PER_MILE)}
            for s in report.low_access
        ],
        "units": _units(community),
    }

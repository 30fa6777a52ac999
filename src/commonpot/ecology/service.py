"""Ecology use cases: who may see what, crop taxonomy, the planting inventory, the seed bank,
and diversity ratings. Assessments, crop plans and food access live in `plans.py`."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, distinct, func, select
from sqlalchemy.orm import Session

from commonpot import biotumblers, communities
from commonpot.accounts import Viewer
from commonpot.communities import Community, Place, PlaceKind, Role
from commonpot.ecology import explain
from commonpot.ecology.csvio import CountsTable, parse_counts, write_counts
from commonpot.ecology.diversity import diversity_report, roll_up, varietal_diversity
from commonpot.ecology.models import Crop, Planting, SeedLot
from commonpot.ecology.schemas import CropIn, PlantingIn, SeedLotIn
from commonpot.errors import N_, Conflict, Invalid, NotFound
from commonpot.tenancy import get_scoped, select_scoped

GROWING_KINDS = (PlaceKind.BIODOME.value, PlaceKind.GARDEN.value)
LEVELS = ("crop", "genus", "family")

# --- access: the one place that decides who sees ecology data ---------------------------------


def require_reader(session: Session, community: Community, viewer: Viewer) -> None:
    """Inventories, seed bank, assessments and plans are for members (and admins)."""
    if viewer.is_admin:
        return
    communities.require_member(session, community, viewer)


def ratings_visible(session: Session, community: Community, viewer: Viewer) -> None:
    """Diversity ratings are published to everyone who may read the community."""
    if not communities.can_read(session, community, viewer):
        raise NotFound("No such community.")


def require_steward(session: Session, community: Community, viewer: Viewer) -> None:
    """Stewards (or admins) keep the seed bank and draft crop plans."""
    if viewer.is_admin:
        return
    communities.require_role(session, community, viewer, Role.STEWARD)


def require_member(session: Session, community: Community, viewer: Viewer) -> None:
    """Members record plantings and assessments."""
    if viewer.is_admin:
        return
    communities.require_member(session, community, viewer)


# --- taxonomy ---------------------------------------------------------------------------------


def crops(session: Session, community: Community, viewer: Viewer) -> list[Crop]:
    """The community's crop taxonomy."""
    require_reader(session, community, viewer)
    return list(session.scalars(select_scoped(Crop, community.id).order_by(Crop.name)))


def crop_names(session: Session, community: Community) -> dict[str, str]:
    """Common name of each crop by its scientific name (only crops that have one)."""
    rows = session.execute(
        select_scoped(Crop, community.id).with_only_columns(Crop.name, Crop.common_name)
    )
    return {name: common for name, common in rows if common}


def crop_by_name(session: Session, community: Community, name: str) -> Crop | None:
    """The crop of that name here, if any."""
    return session.scalar(select_scoped(Crop, community.id).where(Crop.name == name))


def save_crop(session: Session, community: Community, viewer: Viewer, body: CropIn) -> Crop:
    """Add a crop to the taxonomy (members), or update the one of that name (stewards)."""
    require_member(session, community, viewer)
    crop = crop_by_name(session, community, body.name)
    if crop is not None:
        # the shared taxonomy steers crop plans: members add crops, stewards change them
        require_steward(session, community, viewer)
    crop = crop or Crop(community_id=community.id, name=body.name)
    crop.common_name = body.common_name
    crop.genus = body.genus or body.name.split(" ")[0]
    crop.family = body.family
    crop.climates = sorted(set(body.climates))
    crop.seeds_per_m2 = body.seeds_per_m2
    session.add(crop)
    session.flush()
    return crop


def _crop_for(session: Session, community: Community, name: str) -> Crop:
    crop = crop_by_name(session, community, name)
    if crop is None:
        crop = Crop(
            community_id=community.id, name=name, genus=name.split(" ", maxsplit=1)[0], climates=[]
        )
        session.add(crop)
        session.flush()
    return crop


# --- inventory --------------------------------------------------------------------------------


def growing_places(session: Session, community: Community) -> list[Place]:
    """Biodomes and gardens: the places whose plantings make up the inventory."""
    query = select_scoped(Place, community.id).where(Place.kind.in_(GROWING_KINDS))
    return list(session.scalars(query.order_by(Place.name)))


def compost_by_place(
    session: Session, community: Community, viewer: Viewer
) -> list[tuple[Place, float]]:
    """Sanitised compost (kg) delivered to each of the community's places, by place name.

    The figures come from the biotumblers domain (its public surface), which answers only
    what the viewer may read.
    """
    delivered = biotumblers.compost_delivered(session, community, viewer)
    if not delivered:
        return []
    query = select_scoped(Place, community.id).where(Place.id.in_(list(delivered)))
    found = session.scalars(query.order_by(Place.name, Place.id))
    return [(place, delivered[place.id]) for place in found]


def _growing_place(session: Session, community: Community, place_id: int) -> Place:
    place = communities.get_place(session, community, place_id)
    if place.kind not in GROWING_KINDS:
        raise Invalid("Plantings belong in a biodome or a garden.", field="place_id")
    return place


def plantings(
    session: Session, community: Community, viewer: Viewer, place_id: int | None = None
) -> list[Planting]:
    """The inventory: every planting (optionally of one place)."""
    require_reader(session, community, viewer)
    query = select_scoped(Planting, community.id)
    if place_id is not None:
        query = query.where(Planting.place_id == place_id)
    return list(session.scalars(query.order_by(Planting.place_id, Planting.id)))


def add_planting(
    session: Session, community: Community, viewer: Viewer, body: PlantingIn
) -> Planting:
    """Record a planting in a biodome or garden (members)."""
    require_member(session, community, viewer)
    place = _growing_place(session, community, body.place_id)
    area = body.area_m2
    lock_place(session, place)
    if place.area_m2 is not None and used_area(session, place) + area > place.area_m2 + 1e-6:
        raise Conflict(
            "%(place)s has %(free)s m² free; a %(area)s m² planting does not fit.",
            field="area_m2",
            place=place.name,
            free=round(float(place.area_m2 - used_area(session, place)), 2),
            area=float(area),
        )
    planting = Planting(
        community_id=community.id,
        place_id=place.id,
        crop_id=_crop_for(session, community, body.crop).id,
        area_m2=area,
        variety=body.variety,
        plot=body.plot,
    )
    session.add(planting)
    session.flush()
    return planting


def remove_planting(
    session: Session, community: Community, viewer: Viewer, planting_id: int
) -> None:
    """Take a planting out of the inventory (members)."""
    require_member(session, community, viewer)
    planting = get_scoped(
        session, Planting, planting_id, community.id, missing=N_("No such planting here.")
    )
    session.delete(planting)
    session.flush()


def lock_place(session: Session, place: Place) -> None:
    """Hold the place's row until commit so checking free area and planting are one step.

    FOR NO KEY UPDATE: plantings' foreign-key share locks on the place do not block it (no
    deadlock), while a second planter waits. SQLite's write transaction already holds the
    database's write lock.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(select(Place.id).where(Place.id == place.id).with_for_update(key_share=True))
    session.refresh(place)


def used_area(session: Session, place: Place) -> float:
    """Planted area of a place in m²."""
    rows = session.scalars(select(Planting.area_m2).where(Planting.place_id == place.id))
    return float(sum(rows))


def inventory_counts(session: Session, community: Community, level: str = "crop") -> CountsTable:
    """Places × crops areas (no access check: callers have done it)."""
    if level not in LEVELS:
        raise Invalid("Level is one of: %(levels)s.", field="level", levels=", ".join(LEVELS))
    places = growing_places(session, community)
    area: dict[tuple[str, str], float] = defaultdict(float)
    for p in session.scalars(select_scoped(Planting, community.id)):
        area[(p.place.name, p.crop.name)] += p.area_m2
    names = sorted({c for _, c in area})
    samples = [p.name for p in places]
    matrix = np.zeros((len(samples), len(names)))
    s_index = {s: i for i, s in enumerate(samples)}
    c_index = {c: j for j, c in enumerate(names)}
    for (place, crop), value in area.items():
        matrix[s_index[place], c_index[crop]] = value
    if level != "crop" and names:
        taxa = {
            c.name: (c.genus if level == "genus" else c.family) or c.name
            for c in session.scalars(select_scoped(Crop, community.id))
        }
        names, matrix = roll_up(names, matrix, taxa)
    return CountsTable(samples, names, matrix)


def inventory_table(
    session: Session, community: Community, viewer: Viewer, level: str = "crop"
) -> CountsTable:
    """The inventory as a places × crops (or genera, families) table of areas in m²."""
    require_reader(session, community, viewer)
    return inventory_counts(session, community, level)


def export_inventory_csv(session: Session, community: Community, viewer: Viewer) -> str:
    """The inventory as COUNTS.csv text (areas in m²)."""
    return write_counts(inventory_table(session, community, viewer))


def import_inventory_csv(session: Session, community: Community, viewer: Viewer, text: str) -> int:
    """Replace the inventory of the places named in COUNTS.csv; all rows or none (members)."""
    require_member(session, community, viewer)
    table = parse_counts(text)
    places = {p.name: p for p in growing_places(session, community)}
    unknown = [s for s in table.samples if s not in places]
    if unknown:
        raise Invalid(
            "Not a biodome or garden here: %(places)s. Add the place first.",
            field="file",
            places=", ".join(unknown[:5]),
        )
    for name, row in zip(table.samples, table.counts, strict=True):
        place = places[name]
        if place.area_m2 is not None and float(row.sum()) > place.area_m2 + 1e-6:
            raise Invalid(
                "%(place)s: %(planted)s m² planted is more than its %(area)s m².",
                field="file",
                place=name,
                planted=float(row.sum()),
                area=float(place.area_m2),
            )
    ids = [places[s].id for s in table.samples]
    session.execute(delete(Planting).where(Planting.place_id.in_(ids)))
    count = 0
    for name, row in zip(table.samples, table.counts, strict=True):
        for crop_name, value in zip(table.species, row, strict=True):
            if value > 0:
                session.add(
                    Planting(
                        community_id=community.id,
                        place_id=places[name].id,
                        crop_id=_crop_for(session, community, crop_name).id,
                        area_m2=float(value),
                    )
                )
                count += 1
    session.flush()
    return count


# --- seed bank --------------------------------------------------------------------------------


def seed_lots(session: Session, community: Community, viewer: Viewer) -> list[SeedLot]:
    """The community's seed bank."""
    require_reader(session, community, viewer)
    query = select_scoped(SeedLot, community.id).order_by(SeedLot.code)
    return list(session.scalars(query))


def add_seed_lot(
    session: Session, community: Community, viewer: Viewer, body: SeedLotIn
) -> SeedLot:
    """Put a lot of seed in the bank (stewards)."""
    require_steward(session, community, viewer)
    exists = session.scalar(select_scoped(SeedLot, community.id).where(SeedLot.code == body.code))
    if exists is not None:
        raise Conflict("There is already a seed lot %(code)s.", field="code", code=body.code)
    crop_row = _crop_for(session, community, body.crop)
    if body.unit == "seeds" and not crop_row.seeds_per_m2:
        raise Invalid(
            "Say how many seeds of %(crop)s sow one m² before counting it in seeds.",
            field="unit",
            crop=crop_row.name,
        )
    if body.holder_place_id is not None:
        communities.get_place(session, community, body.holder_place_id)
    lot = SeedLot(
        community_id=community.id,
        code=body.code,
        crop_id=crop_row.id,
        variety=body.variety,
        quantity=body.quantity,
        unit=body.unit,
        holder_place_id=body.holder_place_id,
        saved_year=body.saved_year,
        note=body.note,
    )
    session.add(lot)
    session.flush()
    return lot


# --- ratings ----------------------------------------------------------------------------------


def ratings(
    session: Session, community: Community, viewer: Viewer, level: str = "crop"
) -> dict[str, Any]:
    """Diversity of every growing place and of all together, with plain-language notes."""
    ratings_visible(session, community, viewer)
    table = inventory_counts(session, community, level)
    if not table.samples or not table.species:
        return {"level": level, "empty": True, "samples": table.samples, "report": None}
    report = diversity_report(table.samples, table.species, table.counts).to_json()
    records = [
        (p.crop.name, p.variety or "unnamed", p.area_m2)
        for p in session.scalars(select_scoped(Planting, community.id))
    ]
    varietal = [v.__dict__ for v in varietal_diversity(records).values() if v.varieties > 1]
    return {
        "level": level,
        "empty": False,
        "samples": table.samples,
        "species": table.species,
        "report": report,
        "explanations": explain.ratings(report),
        "notes": explain.notes(report),
        "crop_names": crop_names(session, community),
        "varietal": varietal,
    }


def highlights(session: Session, community: Community, viewer: Viewer) -> dict[str, Any]:
    """What grows where, in a few numbers (published like the ratings) for the community home."""
    ratings_visible(session, community, viewer)
    plantings, crops, places, area = session.execute(
        _HIGHLIGHTS, {"community_id": community.id}
    ).one()
    return {"plantings": plantings, "crops": crops, "places": places, "area_m2": area}


# counted by the database (every home page asks; a planting loaded whole joins its crop and
# its place), built once per process
_HIGHLIGHTS = select(
    func.count(Planting.id),
    func.count(distinct(Planting.crop_id)),
    func.count(distinct(Planting.place_id)),
    func.coalesce(func.sum(Planting.area_m2), 0.0),
).where(Planting.community_id == bindparam("community_id"))

"""Demo data for ecology: three riverside biodomes, their crops and seed bank, a fair crop
plan, and a corporate "after" inventory that looks richer but is gamed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.ecology import assessments, plans, service
from commonpot.ecology.csvio import CountsTable, write_counts
from commonpot.ecology.schemas import AssessmentIn, CropIn, PlanIn, PlantingIn, SeedLotIn
from commonpot.words import said

if TYPE_CHECKING:
    from commonpot.demo import DemoContext

CLIMATES = {
    "temperate-humid": "North Dome",
    "warm-dry": "South Dome",
    "cool-wet": "Willow Dome",
}
# scientific name, common name, family, climates, seeds per m²
CROPS = [
    ("Zea mays", "maize (Hopi blue)", "Poaceae", ["temperate-humid", "warm-dry"], 8.0),
    ("Phaseolus vulgaris", "common bean", "Fabaceae", ["temperate-humid", "warm-dry"], 25.0),
    (
        "Cucurbita moschata",
        "butternut squash",
        "Cucurbitaceae",
        ["temperate-humid", "warm-dry"],
        1.0,
    ),
    ("Malus domestica", "apple", "Rosaceae", ["temperate-humid", "cool-wet"], None),
    ("Capsicum annuum", "chilli", "Solanaceae", ["warm-dry"], 6.0),
    ("Solanum lycopersicum", "tomato", "Solanaceae", ["warm-dry", "temperate-humid"], 4.0),
    ("Amaranthus cruentus", "amaranth", "Amaranthaceae", ["warm-dry"], 200.0),
    ("Ocimum basilicum", "basil", "Lamiaceae", ["warm-dry"], 80.0),
    ("Nasturtium officinale", "watercress", "Brassicaceae", ["cool-wet"], None),
    ("Beta vulgaris", "chard", "Amaranthaceae", ["cool-wet", "temperate-humid"], 30.0),
    ("Brassica oleracea", "kale", "Brassicaceae", ["cool-wet", "temperate-humid"], 4.0),
    ("Daucus carota", "carrot", "Apiaceae", ["cool-wet", "temperate-humid"], 400.0),
    ("Allium cepa", "onion", "Amaryllidaceae", ["cool-wet", "temperate-humid", "warm-dry"], 60.0),
    ("Chenopodium quinoa", "quinoa", "Amaranthaceae", ["cool-wet", "warm-dry"], 100.0),
]
# place, crop, variety, plot, m²
PLANTINGS = [
    ("North Dome", "Malus domestica", "Bramley", "orchard", 420.0),
    ("North Dome", "Zea mays", "Hopi Blue", "three sisters", 260.0),
    ("North Dome", "Zea mays", "Bloody Butcher", "three sisters", 90.0),
    ("North Dome", "Phaseolus vulgaris", "Cherokee Trail of Tears", "three sisters", 180.0),
    ("North Dome", "Cucurbita moschata", "Waltham", "three sisters", 160.0),
    ("North Dome", "Beta vulgaris", "Rainbow", "beds", 60.0),
    ("North Dome", "Brassica oleracea", "Cavolo Nero", "beds", 40.0),
    ("South Dome", "Capsicum annuum", "Jalapeño", "terrace", 520.0),
    ("South Dome", "Solanum lycopersicum", "Brandywine", "terrace", 140.0),
    ("South Dome", "Amaranthus cruentus", "Hopi Red Dye", "terrace", 60.0),
    ("South Dome", "Ocimum basilicum", "Genovese", "herbs", 20.0),
    ("Willow Dome", "Nasturtium officinale", "", "channels", 260.0),
    ("Willow Dome", "Beta vulgaris", "Fordhook", "beds", 150.0),
    ("Willow Dome", "Brassica oleracea", "Red Russian", "beds", 130.0),
    ("Willow Dome", "Daucus carota", "Chantenay", "beds", 90.0),
]
# code, crop, variety, quantity, unit, holder (None = the common bank), year saved
SEEDS = [
    ("RB-001", "Phaseolus vulgaris", "Cherokee Trail of Tears", 1500.0, "seeds", None, 2024),
    ("RB-002", "Zea mays", "Hopi Blue", 600.0, "seeds", None, 2024),
    ("RB-003", "Amaranthus cruentus", "Hopi Red Dye", 8000.0, "seeds", "South Dome", 2023),
    ("RB-004", "Daucus carota", "Chantenay", 12000.0, "seeds", "Willow Dome", 2024),
    ("RB-005", "Allium cepa", "Ailsa Craig", 40.0, "m2", None, 2024),
    ("RB-006", "Chenopodium quinoa", "Cherry Vanilla", 30.0, "m2", None, 2023),
    ("RB-007", "Solanum lycopersicum", "Brandywine", 120.0, "seeds", "South Dome", 2024),
    ("RB-008", "Beta vulgaris", "Rainbow", 45.0, "m2", "North Dome", 2024),
    ("RB-009", "Cucurbita moschata", "Waltham", 25.0, "seeds", "North Dome", 2023),
]
# AgriCorp's offer: maize everywhere, plus a pot of every herb it can name.
CORPORATE = {
    "North Dome": {"Zea mays": 1150.0, "Malus domestica": 40.0},
    "South Dome": {"Zea mays": 1300.0, "Capsicum annuum": 30.0},
    "Willow Dome": {"Zea mays": 900.0, "Beta vulgaris": 40.0},
}
TOKENS = ["Ocimum basilicum", "Allium cepa", "Chenopodium quinoa", "Daucus carota"]


def _corporate_csv() -> str:
    species = sorted({c for crops in CORPORATE.values() for c in crops} | set(TOKENS))
    samples = list(CORPORATE)
    rows = []
    for name in samples:
        row = [CORPORATE[name].get(c, 0.0) for c in species]
        rows.append([v if c not in TOKENS else 0.2 for v, c in zip(row, species, strict=True)])
    import numpy as np

    return write_counts(CountsTable(samples, species, np.array(rows)))


def load(session: Session, ctx: DemoContext) -> None:
    """Load riverside's ecology: crops, plantings, seed bank, a plan and a gamed assessment."""
    community = ctx.communities["riverside"]
    places = ctx.places["riverside"]
    amara = Viewer(user=ctx.users["amara"])
    for name, common, family, climates, rate in CROPS:
        service.save_crop(
            session,
            community,
            amara,
            CropIn(
                name=name,
                common_name=common,
                genus=name.split(" ")[0],
                family=family,
                climates=climates,
                seeds_per_m2=rate,
            ),
        )
    for place, crop, variety, plot, area in PLANTINGS:
        service.add_planting(
            session,
            community,
            amara,
            PlantingIn(
                place_id=places[place].id, crop=crop, area_m2=area, variety=variety, plot=plot
            ),
        )
    for code, crop, variety, quantity, unit, holder, year in SEEDS:
        service.add_seed_lot(
            session,
            community,
            amara,
            SeedLotIn(
                code=code,
                crop=crop,
                variety=variety,
                quantity=quantity,
                unit=unit,
                holder_place_id=places[holder].id if holder else None,
                saved_year=year,
            ),
        )
    plan = plans.create_plan(session, community, amara, PlanIn(min_plot_area=4.0))
    assessment = assessments.create_assessment(
        session,
        community,
        Viewer(user=ctx.users["lina"]),
        AssessmentIn(title="AgriCorp 'biodiversity partnership' plan", after_csv=_corporate_csv()),
    )
    from commonpot import governance

    proposal = governance.create_proposal(
        session,
        community,
        Viewer(user=ctx.users["lina"]),
        title="Accept AgriCorp's biodiversity partnership for all three domes",
        body=(
            "AgriCorp offers to replant our domes and says the number of species will rise. "
            "Read the attached impact assessment before you vote."
        ),
    )
    assessments.attach_assessment(
        session, community, Viewer(user=ctx.users["lina"]), assessment.id, proposal.number
    )
    verdict = said("flagged as gamed") if assessment.gamed else said("assessed")
    ctx.notes.append(
        said(
            "ecology: 3 rated biodomes, %(seeds)s seed lots, crop plan #%(plan)s: %(summary)s "
            "AgriCorp's plan %(verdict)s and attached to proposal #%(proposal)s.",
            seeds=len(SEEDS),
            plan=str(plan.id),
            summary=plans.plan_summary(plan),
            verdict=verdict,
            proposal=str(proposal.number),
        )
    )

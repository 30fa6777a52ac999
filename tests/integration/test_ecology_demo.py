"""Ecology demo data loads on both databases and tells the gamed-plan story."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from commonpot import demo
from commonpot.accounts.service import OPERATOR, Viewer
from commonpot.db import Database
from commonpot.ecology import assessments, service
from commonpot.ecology.csvio import CountsTable, write_counts
from commonpot.ecology.models import Assessment, CropPlan
from commonpot.ecology.schemas import AssessmentIn


def test_demo_has_three_rated_domes_a_plan_and_a_gamed_assessment(db: Database) -> None:
    with db.unit_of_work() as s:
        result = demo.load(s)
    assert any(str(note).startswith("ecology:") for note in result.ctx.notes)
    with db.unit_of_work(write=False) as s:
        community = result.ctx.communities["riverside"]
        rated = service.ratings(s, s.merge(community), OPERATOR)
        assessment = s.scalar(select(Assessment))
        plan = s.scalar(select(CropPlan))
    alpha = rated["report"]["alpha"]
    for dome in ("North Dome", "South Dome", "Willow Dome"):
        assert alpha[dome]["richness"] >= 4
    assert assessment is not None and assessment.gamed
    assert assessment.proposal_id is not None
    kinds = {f["kind"] for f in assessment.report["flags"]}
    assert {"richness_up_evenness_down", "token_species"} <= kinds
    assert plan is not None and plan.status == "draft"
    assert plan.after["min_hill_1"] > plan.before["min_hill_1"]


def test_demo_south_dome_orchard_gain_is_not_flagged(db: Database) -> None:
    """South Dome 2.37 -> 4.65 effective crops with real orchard trees is an honest change."""
    with db.unit_of_work() as s:
        result = demo.load(s)
    with db.unit_of_work() as s:
        community = s.merge(result.ctx.communities["riverside"])
        before = service.inventory_counts(s, community)
        species = list(before.species)
        new = [c for c in ("Malus domestica", "Chenopodium quinoa") if c not in species]
        after = np.hstack([before.counts, np.zeros((len(before.samples), len(new)))])
        species += new
        south = before.samples.index("South Dome")
        after[south, species.index("Capsicum annuum")] = 240.0  # the chilli terrace shrinks
        after[south, species.index("Malus domestica")] = 280.0  # orchard trees
        after[south, species.index("Chenopodium quinoa")] = 80.0
        csv = write_counts(CountsTable(list(before.samples), species, after))
        lina = Viewer(user=s.merge(result.ctx.users["lina"]))
        found = assessments.create_assessment(
            s, community, lina, AssessmentIn(title="Orchard trees for South Dome", after_csv=csv)
        )
        hill = found.report["samples"]["South Dome"]["hill_1"]
        assert round(hill["before"], 2) == 2.37
        assert round(hill["after"], 2) == 4.65
        assert found.report["flags"] == []
        assert found.gamed is False

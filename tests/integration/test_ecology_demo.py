"""Ecology demo data loads on both databases and tells the gamed-plan story."""

from __future__ import annotations

from sqlalchemy import select

from commonpot import demo
from commonpot.accounts.service import OPERATOR
from commonpot.db import Database
from commonpot.ecology import service
from commonpot.ecology.models import Assessment, CropPlan


def test_demo_has_three_rated_domes_a_plan_and_a_gamed_assessment(db: Database) -> None:
    with db.unit_of_work() as s:
        result = demo.load(s)
    assert any(note.startswith("ecology:") for note in result.ctx.notes)
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

"""Ecology services on real databases: inventory, CSV, ratings, assessments, crop plans."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commonpot import actions
from commonpot.accounts.service import Viewer
from commonpot.db import Database
from commonpot.ecology import assessments, plans, service
from commonpot.ecology.models import CropPlan, Planting, SeedLot
from commonpot.ecology.schemas import AssessmentIn, PlanIn, PlantingIn, SeedLotIn
from commonpot.errors import Conflict, Forbidden, Invalid
from commonpot.governance import service as governance
from tests.factories.accounts import make_world
from tests.factories.ecology import seed_domes


def test_inventory_round_trips_through_csv(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        text = service.export_inventory_csv(s, c, Viewer(user=w.member))
    lines = text.splitlines()
    assert lines[0] == (
        "sample,Brassica oleracea,Capsicum annuum,Cucurbita pepo,Phaseolus vulgaris,Zea mays"
    )
    assert lines[2] == "South Dome,0,100,0,0,0"
    changed = text.replace("South Dome,0,100,0,0,0", "South Dome,0,50,0,0,50")
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        service.import_inventory_csv(s, c, Viewer(user=w.member), changed)
        table = service.inventory_table(s, c, Viewer(user=w.member))
        again = service.export_inventory_csv(s, c, Viewer(user=w.member))
    assert table.samples == ["North Dome", "South Dome", "Willow Dome"]
    assert table.counts[1].tolist() == [0, 50, 0, 0, 50]
    assert again == changed


def test_import_is_all_or_nothing(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.public), w.steward)
    bad = "sample,Zea mays\nNorth Dome,10\nNowhere Dome,5\n"
    with pytest.raises(Invalid, match="Nowhere Dome"), db.unit_of_work() as s:
        service.import_inventory_csv(s, s.merge(w.public), Viewer(user=w.member), bad)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(Planting.id))) == 6


def test_planting_must_fit_the_free_area(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(Conflict, match="does not fit"), db.unit_of_work() as s:
        c = s.merge(w.public)
        ids = seed_domes(s, c, w.steward)
        service.add_planting(
            s,
            c,
            Viewer(user=w.member),
            PlantingIn(place_id=ids["Willow Dome"], crop="Zea mays", area_m2=100),
        )


def test_ratings_explain_in_plain_words(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        out = service.ratings(s, c, Viewer(user=w.outsider))
        genus = service.ratings(s, c, Viewer(user=w.member), level="family")
    alpha = out["report"]["alpha"]
    assert alpha["North Dome"]["richness"] == 3
    assert alpha["South Dome"]["hill_1"] == pytest.approx(1.0)
    assert any("least diverse place is South Dome" in line for line in out["explanations"])
    assert genus["level"] == "family"


def test_gamed_assessment_is_flagged_and_attached_to_a_proposal(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        after = (
            "sample,Zea mays,Phaseolus vulgaris,Cucurbita pepo,Capsicum annuum,"
            "Brassica oleracea,Ocimum basilicum\n"
            "North Dome,190,3,3,0,0,0.1\nSouth Dome,140,0,0,5,0,0.1\nWillow Dome,110,0,0,0,5,0.1\n"
        )
        a = assessments.create_assessment(
            s, c, Viewer(user=w.member), AssessmentIn(title="Corporate", after_csv=after)
        )
        proposal = governance.create_proposal(
            s, c, Viewer(user=w.member), title="Accept the corporate maize plan"
        )
        assessments.attach_assessment(s, c, Viewer(user=w.member), a.id, proposal.number)
        attached = assessments.for_proposal(s, c, proposal.id)
    assert a.gamed is True
    kinds = {f["kind"] for f in a.report["flags"]}
    assert {"richness_up_evenness_down", "token_species"} <= kinds
    assert [x.id for x in attached] == [a.id]


def test_crop_plan_raises_worst_dome_and_is_adopted_once_by_action(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        plan = plans.create_plan(s, c, Viewer(user=w.steward), PlanIn(min_plot_area=2.0))
        plan_id = plan.id
        assert plan.after["min_hill_1"] > plan.before["min_hill_1"]
        assert plan.moves
        params = actions.get("adopt_crop_plan").validate(s, c, {"plan_id": plan_id})
    seeds_before = _lots(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        message = actions.get("adopt_crop_plan").execute(s, c, params, Viewer(user=w.steward))
    assert message.words() == (
        f"Crop plan {plan_id} adopted: {len(plan.moves)} plantings recorded, seed taken."
    )
    with db.unit_of_work(write=False) as s:
        planted = s.scalar(select(func.count(Planting.id)).where(Planting.plan_id == plan_id))
        status = s.get(CropPlan, plan_id).status  # type: ignore[union-attr]
    assert planted == len(plan.moves)
    assert status == "adopted"
    assert sum(_lots(db).values()) < sum(seeds_before.values())
    with pytest.raises(Conflict), db.unit_of_work() as s:
        plans.adopt_plan(s, s.merge(w.public), plan_id)


def _lots(db: Database) -> dict[str, float]:
    with db.unit_of_work(write=False) as s:
        return {lot.code: lot.quantity for lot in s.scalars(select(SeedLot))}


def test_adoption_fails_whole_when_seed_ran_out(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        plan_id = plans.create_plan(s, c, Viewer(user=w.steward), PlanIn()).id
        for lot in s.scalars(select(SeedLot)):
            lot.quantity = 0.0
    with pytest.raises(Conflict, match="left"), db.unit_of_work() as s:
        plans.adopt_plan(s, s.merge(w.public), plan_id)
    with db.unit_of_work(write=False) as s:
        assert s.get(CropPlan, plan_id).status == "draft"  # type: ignore[union-attr]
        assert s.scalar(select(func.count(Planting.id))) == 6


def test_impossible_gamma_floor_is_explained(db: Database) -> None:
    w = make_world(db)
    with pytest.raises(Invalid, match="below the floor"), db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        plans.create_plan(s, c, Viewer(user=w.steward), PlanIn(gamma_floor=40.0))


def test_members_cannot_draft_plans_or_stock_the_seed_bank(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        with pytest.raises(Forbidden):
            plans.create_plan(s, c, Viewer(user=w.member), PlanIn())
        with pytest.raises(Forbidden):
            service.add_seed_lot(
                s, c, Viewer(user=w.member), SeedLotIn(code="X", crop="Zea mays", quantity=1)
            )


def test_food_access_layer_reports_distances(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        c = s.merge(w.public)
        seed_domes(s, c, w.steward)
        from tests.factories.accounts import make_place

        make_place(s, c, "Far Enclave", kind="enclave", lat=51.50, lon=-2.5879, population=300)
        make_place(s, c, "Near Enclave", kind="enclave", lat=51.4546, lon=-2.5879, population=100)
        layer = plans.food_access_layer(s, c, Viewer(user=w.member), catchment_km=1.0)
    homes = {h["name"]: h for h in layer["homes"]}
    assert homes["Far Enclave"]["km"] == pytest.approx(5.05, abs=0.1)
    assert homes["Near Enclave"]["km"] < 0.1
    half_mile = next(x for x in layer["low_access"] if x["miles"] == 0.5)
    assert half_mile["people"] == 300

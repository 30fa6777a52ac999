"""Network services on real databases: runs, the atomic commit, pickups, patches."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from commonpot import actions
from commonpot.accounts.service import Viewer
from commonpot.db import Database
from commonpot.errors import Conflict, Forbidden, Invalid
from commonpot.network import runs, service
from commonpot.network.models import Need, Offer
from tests.factories.accounts import make_world
from tests.factories.network import add_need, add_offer


def state(db: Database) -> dict[str, list[tuple[int, int, str]]]:
    with db.unit_of_work(write=False) as s:
        offers = [
            (o.quantity, o.allocated, o.status) for o in s.scalars(select(Offer).order_by(Offer.id))
        ]
        needs = [
            (n.quantity, n.received, n.status) for n in s.scalars(select(Need).order_by(Need.id))
        ]
    return {"offers": offers, "needs": needs}


def test_run_plans_reports_fairness_and_commits(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        elders = service.create_group(
            s, community, Viewer(user=w.steward), name="elders", priority=3
        )
        add_offer(s, community, w.member, 4)
        add_need(s, community, w.member, 4, 1.0)
        add_need(s, community, w.custodian, 4, 2.0, group_id=elders.id)
        run = runs.create_run(s, community, Viewer(user=w.steward))
        run_id = run.id
        assert run.metrics["total_allocated"] == 4
        assert run.baseline_metrics["total_allocated"] == 4
        # FCFS gives the first need everything; the plan serves the elders' need first
        assert run.metrics["fill_rate_by_group"]["elders"] == pytest.approx(0.75)
        assert run.baseline_metrics["fill_rate_by_group"]["elders"] == 0.0
        assert sum(line.quantity for line in runs.lines(s, run)) == 4
    with db.unit_of_work() as s:
        runs.commit_run(s, s.merge(w.public), Viewer(user=w.steward), run_id)
    assert state(db) == {
        "offers": [(4, 4, "allocated")],
        "needs": [(4, 1, "open"), (4, 3, "open")],
    }
    with db.unit_of_work() as s, pytest.raises(Conflict, match="already committed"):
        runs.commit_run(s, s.merge(w.public), Viewer(user=w.steward), run_id)


def test_stale_run_is_refused_and_nothing_is_written(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_offer(s, community, w.member, 5)
        add_need(s, community, w.member, 3)
        add_need(s, community, w.custodian, 3, 0.5)
        first = runs.create_run(s, community, Viewer(user=w.steward)).id
        second = runs.create_run(s, community, Viewer(user=w.steward)).id
    with db.unit_of_work() as s:
        runs.commit_run(s, s.merge(w.public), Viewer(user=w.steward), first)
    before = state(db)
    with pytest.raises(Conflict, match="no longer"), db.unit_of_work() as s:
        runs.commit_run(s, s.merge(w.public), Viewer(user=w.steward), second)
    assert state(db) == before
    with db.unit_of_work(write=False) as s:
        assert runs.get_run(s, s.merge(w.public), Viewer(user=w.steward), second).status == "draft"


def test_concurrent_commits_never_over_allocate(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_offer(s, community, w.member, 6)
        add_need(s, community, w.member, 6)
        add_need(s, community, w.custodian, 6, 0.3)
        ids = [runs.create_run(s, community, Viewer(user=w.steward)).id for _ in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(ids))

    def commit(run_id: int) -> None:
        barrier.wait()
        try:
            with db.unit_of_work() as s:
                runs.commit_run(s, s.merge(w.public), Viewer(user=w.steward), run_id)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=commit, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    after = state(db)
    assert after["offers"] == [(6, 6, "allocated")]
    assert sum(received for _, received, _ in after["needs"]) == 6


def test_only_stewards_run_and_commit(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        with pytest.raises(Forbidden):
            runs.create_run(s, community, Viewer(user=w.member))
        run_id = runs.create_run(s, community, Viewer(user=w.steward)).id
    with db.unit_of_work() as s, pytest.raises(Forbidden):
        runs.commit_run(s, s.merge(w.public), Viewer(user=w.member), run_id)


def test_governance_action_commits_a_run(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_offer(s, community, w.member, 2)
        add_need(s, community, w.member, 2)
        run_id = runs.create_run(s, community, Viewer(user=w.steward)).id
        action = actions.get("commit_allocation_run")
        params = action.validate(s, community, {"run_id": run_id})
        message = action.execute(s, community, params, Viewer(user=w.steward))
        assert message.words() == f"Allocation run {run_id} committed: 2 units on their way."
        with pytest.raises(Conflict):
            action.validate(s, community, {"run_id": run_id})
    assert state(db)["offers"] == [(2, 2, "allocated")]


def test_pickups_after_commit(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_offer(s, community, w.member, 2)
        add_need(s, community, w.custodian, 2)
        run = runs.create_run(s, community, Viewer(user=w.steward))
        (line,) = runs.lines(s, run)
        with pytest.raises(Conflict, match="once the run is committed"):
            runs.assign_pickup(s, community, Viewer(user=w.member), line.id)
        runs.commit_run(s, community, Viewer(user=w.steward), run.id)
        runs.assign_pickup(s, community, Viewer(user=w.member), line.id)
        with pytest.raises(Forbidden):
            runs.mark_picked_up(s, community, Viewer(user=w.custodian), line.id)
        with pytest.raises(Invalid):
            runs.assign_pickup(s, community, Viewer(user=w.steward), line.id, w.outsider.id)
        done = runs.mark_picked_up(s, community, Viewer(user=w.member), line.id)
        assert done.picked_up_at is not None
        assert done.pickup_user_id == w.member.id


def test_harvests_respect_sustainable_yield_and_geojson_round_trip(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        me = Viewer(user=w.member)
        patch = service.save_patch(
            s,
            community,
            me,
            name="Elder grove",
            species="elderflower",
            lat=52.0,
            lon=5.0,
            sustainable_yield_kg=10,
        )
        service.log_harvest(s, community, me, patch.id, quantity_kg=6)
        with pytest.raises(Conflict, match=r"4 kg of sustainable yield left"):
            service.log_harvest(s, community, me, patch.id, quantity_kg=5)
        service.log_harvest(s, community, me, patch.id, quantity_kg=4)
        exported = service.patches_geojson(s, community, me)
        (feature,) = exported["features"]
        assert feature["geometry"] == {"type": "Point", "coordinates": [5.0, 52.0]}
        assert feature["properties"]["harvested_this_season_kg"] == 10
        exported["features"].append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[5, 52], [5.01, 52], [5.01, 52.01], [5, 52]]],
                },
                "properties": {
                    "name": "Nettle bank",
                    "species": "nettle",
                    "sustainable_yield_kg": 3,
                },
            }
        )
        saved = service.import_geojson(s, community, me, exported)
        assert [p.name for p in saved] == ["Elder grove", "Nettle bank"]
        assert len(service.patches(s, community, me)) == 2
        with pytest.raises(Invalid, match=r"features\[0\]\.geometry"):
            service.import_geojson(
                s, community, me, {"type": "FeatureCollection", "features": [{"geometry": None}]}
            )


def test_members_see_own_needs_stewards_see_all(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_need(s, community, w.member, 2)
        add_need(s, community, w.custodian, 2)
        assert len(service.visible_needs(s, community, Viewer(user=w.member))) == 1
        assert len(service.visible_needs(s, community, Viewer(user=w.steward))) == 2
        with pytest.raises(Forbidden):
            service.visible_offers(s, community, Viewer(user=w.outsider))

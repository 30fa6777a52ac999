"""Biotumbler services on real SQLite and PostgreSQL: tokens, batched idempotent ingest, batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commonpot import demo
from commonpot.accounts import security
from commonpot.accounts.service import OPERATOR, Viewer
from commonpot.biotumblers import ingest, reads, rollups, service
from commonpot.biotumblers.models import Biotumbler, Reading
from commonpot.biotumblers.simulate import simulate
from commonpot.db import Database
from commonpot.errors import Conflict, Forbidden, Invalid
from tests.factories.accounts import make_world
from tests.factories.biotumblers import T0, register, wire


def count(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Reading)) or 0)


def test_register_keeps_only_the_token_hash_and_rotation_replaces_it(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        found, token = register(s, s.merge(w.public), w.steward)
        assert found.token_hash == security.token_hash(token)
        assert token not in found.token_hash
    with db.unit_of_work() as s:
        assert service.device_for_token(s, "publicville", "tumbler-1", token).device == "tumbler-1"
        fresh = service.rotate_token(s, s.merge(w.public), Viewer(user=w.steward), "tumbler-1")
    with db.unit_of_work(write=False) as s:
        stored = s.scalars(select(Biotumbler.token_hash)).all()
        assert stored == [security.token_hash(fresh)]
        with pytest.raises(Exception, match="No biotumbler"):
            service.device_for_token(s, "publicville", "tumbler-1", token)


def test_register_rules(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        register(s, community, w.steward)
        with pytest.raises(Conflict):
            register(s, community, w.steward)
        with pytest.raises(Forbidden):
            register(s, community, w.member, "other")
        with pytest.raises(Invalid) as info:
            register(s, community, w.steward, "Bad_Id")
        assert info.value.field == "device"
        with pytest.raises(Invalid) as info:
            service.register_device(
                s, community, OPERATOR, device="x", probes=[{"name": "a"}, {"name": "a"}]
            )
        assert info.value.field == "probes[1].name"


def test_batched_ingest_is_idempotent_on_device_and_time(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        device_id = register(s, s.merge(w.public), w.steward)[0].id
    batch = simulate(T0, T0 + timedelta(hours=250), every=timedelta(minutes=5), seed=3)
    assert len(batch) > 2900
    with db.unit_of_work() as s:
        result = ingest.store(s, s.get_one(Biotumbler, device_id), batch)
    assert result.accepted == len(batch)
    assert count(db) == len(batch)
    # delivered twice (QoS 1): counted once; a later value for the same time replaces it
    with db.unit_of_work() as s:
        found = s.get_one(Biotumbler, device_id)
        ingest.store(s, found, batch[:100])
        ingest.ingest(s, found, [wire(0, 99.0, 98.0), wire(0, 10.0, 11.0)])
    assert count(db) == len(batch)
    with db.unit_of_work(write=False) as s:
        first = reads.stored_readings(s, s.get_one(Biotumbler, device_id))[0]
        assert first.t == T0
        assert first.temperature_c == {"core": 10.0, "edge": 11.0}
        assert first.moisture_pct is None


def test_bad_readings_are_counted_never_stored(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        found = register(s, s.merge(w.public), w.steward)[0]
        result = ingest.ingest(
            s, found, [wire(0, 60), {"t": "yesterday"}, wire(10, 120), wire(20, 61)]
        )
        assert result.to_json()["accepted"] == 2
        assert [r["index"] for r in result.to_json()["rejected"]] == [1, 2]
    assert count(db) == 2
    with db.unit_of_work(write=False) as s:
        stored = s.scalar(select(Biotumbler))
        assert stored is not None and stored.rejected == 2
        assert stored.last_rejection.startswith("temperature_c.core")
        summary = reads.device_summary(s, stored)
    assert summary["readings"] == 2
    assert summary["rejected"] == 2
    assert summary["phase"] == "thermophilic"


def test_batches_start_end_and_per_batch_assessment(db: Database) -> None:
    w = make_world(db)
    steward = Viewer(user=w.steward)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        found = register(s, community, w.steward)[0]
        service.start_batch(s, community, steward, "tumbler-1", started_at=T0, kitchen_kg=40)
        with pytest.raises(Conflict):
            service.start_batch(s, community, steward, "tumbler-1")
        with pytest.raises(Forbidden):
            service.end_batch(s, community, Viewer(user=w.member), "tumbler-1")
        ingest.store(s, found, simulate(T0, T0 + timedelta(days=9), every=timedelta(minutes=10)))
        batch = service.end_batch(
            s, community, steward, "tumbler-1", ended_at=T0 + timedelta(days=9)
        )
    with db.unit_of_work(write=False) as s:
        found = s.get_one(Biotumbler, found.id)
        verdict = reads.assess_device(s, found, batch=batch)
        assert verdict.sanitised
        assert service.batches(s, found)[0].kitchen_kg == 40


def test_demo_loads_two_tumblers_one_sanitised_one_heating(db: Database) -> None:
    with db.unit_of_work() as s:
        result = demo.load(s)
    assert any(str(note).startswith("Biotumblers:") for note in result.ctx.notes)
    with db.unit_of_work(write=False) as s:
        community = s.merge(result.ctx.communities["riverside"])
        devices = {d.device: d for d in service.visible_devices(s, community, OPERATOR)}
        north = service.batches(s, devices["north-tumbler"])[0]
        south = service.current_batch(s, devices["south-tumbler"])
        assert reads.assess_device(s, devices["north-tumbler"], batch=north).sanitised
        assert south is not None
        heating = reads.assess_device(s, devices["south-tumbler"], batch=south)
    assert not heating.sanitised
    assert heating.phase == "thermophilic"
    assert any(a.kind == "moisture_low" and a.end is None for a in heating.alerts)


def test_rollups_follow_late_and_replaced_readings_and_outlive_pruning(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        found = register(s, s.merge(w.public), w.steward)[0]
        # two hours, every 10 minutes, core = 50, 51, ... ; one reading arrives late
        ingest.ingest(s, found, [wire(i * 10, 50 + i) for i in range(12) if i != 3])
        ingest.ingest(s, found, [wire(30, 90.0)])  # late
        ingest.ingest(s, found, [wire(40, 40.0)])  # replaces a stored reading
    with db.unit_of_work(write=False) as s:
        device = s.get_one(Biotumbler, found.id)
        hours = rollups.rollups(s, device, 3600)
        minutes = rollups.rollups(s, device, 60)
    assert [h.start for h in hours] == [T0, T0 + timedelta(hours=1)]
    assert hours[0].probes["core"] == [40.0, round((50 + 51 + 52 + 90 + 40 + 55) / 6, 3), 90.0, 6]
    assert hours[0].readings == 6
    assert len(minutes) == 12
    assert minutes[4].probes["core"][1] == 40.0
    with db.unit_of_work() as s:
        gone = rollups.prune_raw(s, keep_days=1, now=T0 + timedelta(days=1, minutes=65))
    assert gone == 7
    assert count(db) == 5
    with db.unit_of_work(write=False) as s:
        device = s.get_one(Biotumbler, found.id)
        assert len(rollups.rollups(s, device, 3600)) == 2
        assert len(rollups.rollups(s, device, 60)) == 12

"""Ended batches keep their verdict: pages read it, retention cannot erase it, and late
readings for the batch's time judge it again."""

from __future__ import annotations

from datetime import timedelta

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.biotumblers import assessment, ingest, reads, rollups, service, verdicts
from commonpot.biotumblers.models import Batch, Biotumbler
from commonpot.db import Database
from tests.factories.accounts import make_world
from tests.factories.biotumblers import T0, register, series


def test_an_ended_batch_keeps_its_verdict_through_retention_and_late_readings(
    db: Database,
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community, steward = s.merge(w.public), Viewer(user=s.get(User, w.steward.id))
        device = register(s, community, w.steward)[0]
        service.start_batch(s, community, steward, "tumbler-1", started_at=T0)
        # 70 h at 56 °C: two hours short of sanitised
        ingest.store(s, device, series([56.0] * (70 * 6 + 1)), live=False)
        batch = service.end_batch(
            s, community, steward, "tumbler-1", ended_at=T0 + timedelta(hours=80)
        )
        batch_id, device_id = batch.id, device.id
    with db.unit_of_work() as s:
        batch = s.get_one(Batch, batch_id)
        found = s.get_one(Biotumbler, device_id)
        kept = reads.assess_device(s, found, batch=batch)
        fresh = assessment.assess(
            reads.stored_readings(s, found, since=batch.started_at, until=batch.ended_at)
        )
        assert kept == fresh  # the kept verdict is the engine's, exactly
        assert not kept.sanitised and kept.longest_hot_hours == 70.0
        assert found.sealed_until == T0 + timedelta(hours=80)
    # the backlog arrives: the last hours of the run, still at 56 °C
    late = series([56.0] * 20, start=T0 + timedelta(hours=70, minutes=10))
    with db.unit_of_work() as s:
        ingest.store(s, s.get_one(Biotumbler, device_id), late, live=False)
    with db.unit_of_work() as s:
        batch = s.get_one(Batch, batch_id)
        verdict = reads.assess_device(s, s.get_one(Biotumbler, device_id), batch=batch)
        assert verdict.sanitised
        assert verdict.sanitised_at == T0 + timedelta(hours=72)
        assert batch.verdict is not None and batch.verdict["sanitised_at"] is not None
    # retention deletes the raw readings; the batch's proof stays
    with db.unit_of_work() as s:
        assert rollups.prune_raw(s, keep_days=1, now=T0 + timedelta(days=30)) > 0
    with db.unit_of_work() as s:
        batch = s.get_one(Batch, batch_id)
        found = s.get_one(Biotumbler, device_id)
        assert reads.stored_readings(s, found) == []
        assert reads.assess_device(s, found, batch=batch).sanitised
        assert verdicts.from_kept(verdicts.to_kept(verdict)) == verdict

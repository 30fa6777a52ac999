"""Alert episodes on real SQLite and PostgreSQL: stored once, stewards told once (inbox and a
real SMTP server), the periodic silent/stall check as a job, and rollups merged as readings
arrive."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commonpot import jobs
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.biotumblers import alerts, ingest, rollups, service
from commonpot.biotumblers.downsample import downsample
from commonpot.biotumblers.jobs import CHECK_JOB, RETENTION_JOB
from commonpot.biotumblers.models import AlertEpisode, Biotumbler, Reading
from commonpot.biotumblers.readings import Reading as Value
from commonpot.bus import MemoryBus
from commonpot.db import Database, utcnow
from commonpot.notifications import service as notes
from commonpot.notifications.models import Notification
from commonpot.settings import Settings
from commonpot.wiring import start_jobs
from tests.factories.accounts import World, make_world
from tests.factories.biotumblers import T0, register, series, wire
from tests.factories.platform import Inbox, body_text, smtp_server


@pytest.fixture
def mailbox() -> Iterator[tuple[str, Inbox]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def runtime(db: Database, settings: Settings, mailbox: tuple[str, Inbox]) -> jobs.Jobs:
    mine = settings.model_copy(
        update={"smtp_url": mailbox[0], "jobs_backend": "memory", "jobs_queue": f"b{id(db)}"}
    )
    return start_jobs(mine, db, MemoryBus())


def run_all(runtime: jobs.Jobs) -> None:
    for _ in range(5):
        if runtime.drain() == 0:
            return


def episodes_of(db: Database) -> list[tuple[str, str, object, object, float | None, bool]]:
    with db.unit_of_work(write=False) as s:
        rows = s.scalars(select(AlertEpisode).order_by(AlertEpisode.started_at, AlertEpisode.kind))
        return [(e.kind, e.level, e.started_at, e.ended_at, e.peak, e.notified) for e in rows]


def telemetry_notes(db: Database, user: User) -> list[Notification]:
    with db.unit_of_work(write=False) as s:
        query = select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "telemetry_alarm"
        )
        return list(s.scalars(query))


def device(db: Database, w: World, **more: object) -> Biotumbler:
    with db.unit_of_work() as s:
        found, _ = service.register_device(
            s,
            s.merge(w.public),
            Viewer(user=s.get(User, w.steward.id)),
            device="tumbler-1",
            name="Drum one",
            **more,  # type: ignore[arg-type]
        )
        return found


def send(db: Database, found: Biotumbler, body: object) -> None:
    with db.unit_of_work() as s:
        ingest.ingest(s, s.get_one(Biotumbler, found.id), body)


def test_an_overheat_episode_is_stored_once_and_stewards_hear_once_in_their_language(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        s.get_one(User, w.steward.id).locale = "es"
    found = device(db, w)
    send(db, found, [wire(0, 60), wire(10, 66)])
    send(db, found, [wire(20, 69)])  # worse, same episode
    send(db, found, [wire(30, 67)])  # still open
    assert episodes_of(db) == [("overheat", "warn", T0 + timedelta(minutes=10), None, 69.0, True)]
    run_all(runtime)
    (note,) = telemetry_notes(db, w.steward)
    assert note.params["alert"] == "overheat"
    assert note.url == "/communities/publicville/biotumblers/tumbler-1"
    assert telemetry_notes(db, w.member) == []
    assert telemetry_notes(db, w.custodian) == []
    (mail,) = mailbox[1].to(w.steward.email)
    text, _ = body_text(mail)
    assert mail["Subject"] == "Drum one: sobrecalentamiento (aviso)"
    assert "publicville" in text.lower() or "Drum one" in text
    assert "66" in text  # the worst value when it opened
    send(db, found, [wire(40, 60)])  # clears
    run_all(runtime)
    assert episodes_of(db) == [
        (
            "overheat",
            "warn",
            T0 + timedelta(minutes=10),
            T0 + timedelta(minutes=40),
            69.0,
            True,
        )
    ]
    assert len(telemetry_notes(db, w.steward)) == 1
    assert len(mailbox[1].to(w.steward.email)) == 1
    # a new episode later is a new notice
    send(db, found, [wire(50, 72)])
    run_all(runtime)
    latest = {(e[0], e[1]) for e in episodes_of(db) if e[2] == T0 + timedelta(minutes=50)}
    assert latest == {("overheat", "alarm"), ("overheat", "warn")}
    assert len(telemetry_notes(db, w.steward)) == 3  # warn and alarm opened together


def test_a_steward_who_turned_telemetry_off_hears_nothing_and_inapp_gets_no_mail(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        notes.set_preferences(
            s, Viewer(user=s.get(User, w.steward.id)), {"telemetry_alarm": "inapp"}
        )
    found = device(db, w)
    send(db, found, [wire(0, 50, 50) | {"moisture_pct": 30.0}])
    run_all(runtime)
    (note,) = telemetry_notes(db, w.steward)
    assert note.channel == "inapp"
    assert mailbox[1].to(w.steward.email) == []
    with db.unit_of_work() as s:
        notes.set_preferences(s, Viewer(user=s.get(User, w.steward.id)), {"telemetry_alarm": "off"})
    send(db, found, [wire(10, 50, 50) | {"moisture_pct": 70.0}])  # dry ends, wet opens
    run_all(runtime)
    assert len(telemetry_notes(db, w.steward)) == 1
    kinds = [(e[0], e[3] is None) for e in episodes_of(db)]
    assert kinds == [("moisture_low", False), ("moisture_high", True)]


def test_the_periodic_check_opens_silent_once_and_a_reading_closes_it(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    found = device(db, w, expected_every_s=600)
    now = utcnow().replace(microsecond=0)
    last = now - timedelta(minutes=25)
    send(db, found, [{"t": last.isoformat(), "temperature_c": {"core": 50.0}}])
    for _ in range(2):  # twice: still one episode, one notice
        with db.unit_of_work() as s:
            jobs.enqueue(s, CHECK_JOB, {}, key=f"check-{_}")
        run_all(runtime)
    ((kind, level, start, end, peak, told),) = episodes_of(db)
    assert (kind, level, start, end, told) == ("silent", "warn", last, None, True)
    assert peak is not None and peak >= 25
    assert len(telemetry_notes(db, w.steward)) == 1
    assert len(mailbox[1].to(w.steward.email)) == 1
    back = now + timedelta(seconds=1)
    send(db, found, [{"t": back.isoformat(), "temperature_c": {"core": 51.0}}])
    ((_, _, _, end, _, _),) = episodes_of(db)
    assert end == back
    # a device that reports on time is never silent
    with db.unit_of_work() as s:
        assert alerts.check(s, now=back + timedelta(minutes=9)) == []


def test_the_check_opens_a_stall_in_a_filling_batch(db: Database) -> None:
    w = make_world(db)
    found = device(db, w)
    temps = [30.0] * 10 + [50.0] * 10 + [35.0] * 300  # heated, then 50 h below 40 °C
    with db.unit_of_work() as s:
        community, steward = s.merge(w.public), Viewer(user=s.get(User, w.steward.id))
        service.start_batch(s, community, steward, "tumbler-1", started_at=T0)
        ingest.store(s, s.get_one(Biotumbler, found.id), series(temps), live=False)
    with db.unit_of_work() as s:
        changed = alerts.check(s, now=T0 + timedelta(minutes=10 * 320))
    assert [(e.kind, e.level) for e in changed] == [("stalled", "alarm")]
    stall = [e for e in episodes_of(db) if e[0] == "stalled"]
    assert stall[0][2] == T0 + timedelta(minutes=200)
    assert stall[0][4] == 35.0  # the coolest it got
    with db.unit_of_work() as s:
        assert alerts.check(s, now=T0 + timedelta(minutes=10 * 320)) == []  # not twice


def test_retention_job_prunes_raw_readings_and_keeps_rollups(
    db: Database, runtime: jobs.Jobs
) -> None:
    w = make_world(db)
    found = device(db, w)
    old = utcnow() - timedelta(days=200)
    send(db, found, [{"t": (old + timedelta(minutes=i)).isoformat(), "temperature_c": {"a": 40.0}}
                     for i in range(5)])  # fmt: skip
    with db.unit_of_work() as s:
        jobs.enqueue(s, RETENTION_JOB, {}, key="retention")
    run_all(runtime)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Reading)) == 0
        assert len(rollups.rollups(s, s.get_one(Biotumbler, found.id), 60)) == 5


def test_merged_rollups_equal_a_recompute_from_the_raw_readings(db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        found = register(s, s.merge(w.public), w.steward)[0]
    rng = random.Random(4)
    values = [
        Value(
            T0 + timedelta(seconds=20 * i),
            {"core": round(rng.uniform(40, 70), 2), "edge": round(rng.uniform(40, 70), 2)},
            moisture_pct=round(rng.uniform(30, 70), 1) if i % 3 else None,
            oxygen_pct=round(rng.uniform(5, 20), 1) if i % 4 == 0 else None,
            turned=i % 50 == 0,
        )
        for i in range(600)
    ]
    position = 0
    while position < len(values):  # chunks of any size, some late, some replacing
        size = rng.randint(1, 40)
        chunk = values[position : position + size]
        if rng.random() < 0.2 and position:
            again = values[rng.randrange(position)]
            chunk = [*chunk, Value(again.t, {"core": 99.0, "edge": 1.0})]
            values[values.index(again)] = chunk[-1]
        with db.unit_of_work() as s:
            ingest.store(s, s.get_one(Biotumbler, found.id), chunk, live=False)
        position += size
    with db.unit_of_work(write=False) as s:
        got = {
            width: rollups.rollups(s, s.get_one(Biotumbler, found.id), width)
            for width in rollups.ROLLUP_WIDTHS
        }
    for width, rows in got.items():
        want = downsample(values, timedelta(seconds=width))
        assert [r.start for r in rows] == [b.start for b in want]
        for row, bucket in zip(rows, want, strict=True):
            assert row.readings == bucket.count
            assert row.turned == bucket.turned
            for probe, stat in bucket.probes.items():
                low, mean, high, n = row.probes[probe]
                assert (low, high, n) == (stat.low, stat.high, stat.count)
                assert mean == pytest.approx(stat.mean, abs=2e-3)
            if bucket.moisture is None:
                assert row.moisture_pct is None
            else:
                assert row.moisture_pct == pytest.approx(bucket.moisture.mean, abs=1e-6)
                assert row.moisture_n == bucket.moisture.count
            if bucket.oxygen is not None:
                assert row.oxygen_pct == pytest.approx(bucket.oxygen.mean, abs=1e-6)

"""Delivery runs as a periodic job: the every-minute pass sends a Follow to the other side."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from commonpot import jobs
from commonpot.accounts.service import OPERATOR
from commonpot.bus import MemoryBus
from commonpot.db import utcnow
from commonpot.federation import jobs as federation_jobs
from commonpot.federation import service, sharing
from commonpot.federation.models import Delivery, Follower, Following
from commonpot.jobs.models import Job
from commonpot.wiring import start_jobs
from tests.factories.accounts import make_community, make_user
from tests.factories.federation import Instance, Router, pair, second_database_urls

__all__ = ["pair", "second_database_urls"]


def test_the_delivery_job_is_scheduled_every_minute_and_sends_what_is_queued(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    settings = a.settings.model_copy(update={"jobs_backend": "memory", "jobs_queue": f"f{id(a)}"})
    runtime = start_jobs(settings, a.db, MemoryBus())
    federation_jobs.use_client(runtime, a.fed.client)
    schedule = [p for p in jobs.REGISTRY.periodic if p.job == federation_jobs.DELIVERY_JOB]
    assert [(p.minute, p.hour) for p in schedule] == [("*", "*")]

    with a.db.unit_of_work() as s:
        make_community(s, make_user(s, "A steward"), slug="alpha")
    with b.db.unit_of_work() as s:
        make_community(s, make_user(s, "B steward"), slug="beta")
    with a.db.unit_of_work() as s:
        service.follow(s, a.fed, sharing.public_community(s, "alpha"), OPERATOR, "@beta@b.test")
    assert b.count(Follower) == 0  # nothing leaves until the job runs

    with a.db.unit_of_work() as s:
        s.add(  # a pass that finished two days ago
            Job(
                key="deliver@old",
                name=federation_jobs.DELIVERY_JOB,
                state="done",
                finished_at=utcnow() - timedelta(days=2),
            )
        )
        jobs.enqueue(s, federation_jobs.DELIVERY_JOB, {"slot": "test"}, key="deliver@test")
    assert runtime.drain() == 1
    assert b.count(Follower, Follower.actor_id == "http://a.test/federation/alpha") == 1
    with a.db.unit_of_work(write=False) as s:
        job = s.scalars(select(Job).where(Job.key == "deliver@test")).one()
        assert job.state == "done"
        assert s.scalars(select(Delivery.state)).all() == ["done"]
        # passes finished more than a day ago are forgotten (one a minute would pile up)
        assert s.scalars(select(Job.key)).all() == ["deliver@test"]

    # b answers with an Accept on its own pass; a records the follow as accepted
    b.deliver()
    with a.db.unit_of_work(write=False) as s:
        assert s.scalars(select(Following.state)).one() == "accepted"

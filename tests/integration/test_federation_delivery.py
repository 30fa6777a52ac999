"""Delivery retries with growing back-off and gives up on dead servers after a while."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from commonpot.db import utcnow
from commonpot.federation import delivery, service
from commonpot.federation.models import Activity, Delivery
from tests.factories.accounts import make_community, make_user
from tests.factories.federation import Instance, Router, solo

__all__ = ["solo"]


def test_retry_backoff_and_give_up(solo: tuple[Instance, Router]) -> None:
    b, _router = solo
    with b.db.unit_of_work() as s:
        beta = make_community(s, make_user(s, "B steward"), slug="beta")
        service.queue(
            s, beta.id, {"type": "Accept", "id": "x", "actor": "y"}, "http://down.test/inbox"
        )
    first = b.deliver()
    assert (first.delivered, first.retrying, first.failed) == (0, 1, 0)
    with b.db.unit_of_work(write=False) as s:
        row = s.scalars(select(Delivery)).one()
        assert row.attempts == 1 and row.state == "pending"
        wait_1 = row.next_attempt_at - utcnow()
    assert b.deliver().retrying == 0  # not due yet
    with b.db.unit_of_work() as s:
        s.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    assert b.deliver().retrying == 1
    with b.db.unit_of_work(write=False) as s:
        row = s.scalars(select(Delivery)).one()
        assert row.attempts == 2
        assert row.next_attempt_at - utcnow() > wait_1  # the wait grows
    with b.db.unit_of_work() as s:
        s.execute(
            update(Delivery).values(
                next_attempt_at=utcnow() - timedelta(seconds=1),
                created_at=utcnow() - delivery.GIVE_UP_AFTER - timedelta(minutes=1),
            )
        )
    assert b.deliver().failed == 1
    with b.db.unit_of_work(write=False) as s:
        assert s.scalars(select(Delivery.state)).one() == "failed"
        assert s.scalars(select(Activity)).one().fanned_out


def test_backoff_grows_and_is_capped() -> None:
    waits = [delivery.backoff(n) for n in range(1, 15)]
    assert waits == sorted(waits)
    assert waits[0] == timedelta(minutes=1) and waits[-1] == delivery.MAX_RETRY

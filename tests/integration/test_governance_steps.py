"""`governance.service.steps`: whether a time-driven step waits (a proposal to open, close or
expire; ledger entries beyond the newest signed checkpoint) and when the next one comes, in
one statement, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, update

from commonpot.db import Database
from commonpot.governance import ledger, service
from commonpot.governance.models import Proposal
from commonpot.settings import Settings
from tests.factories.accounts import make_world
from tests.factories.governance import fetch_community, make_proposal


def _steps(db: Database, slug: str) -> tuple[tuple[bool, datetime | None], int]:
    statements: list[str] = []

    def note(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        with db.unit_of_work(write=False) as s:
            found = service.steps(s, fetch_community(s, slug))
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return found, len([sql for sql in statements if "gov_" in sql])


def test_nothing_waits_once_the_ledger_is_sealed_and_no_proposal_is_open(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)  # its members joining are in the ledger, not sealed yet
    assert _steps(db, world.public.slug) == ((True, None), 1)
    with db.unit_of_work() as s:
        ledger.seal(s, fetch_community(s, world.public.slug), settings)
    assert _steps(db, world.public.slug) == ((False, None), 1)


def test_entries_beyond_the_newest_checkpoint_wait_for_a_seal(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        ledger.append(s, community, "note", {"text": "one"})
    assert _steps(db, world.public.slug)[0] == (True, None)
    with db.unit_of_work() as s:
        ledger.seal(s, fetch_community(s, world.public.slug), settings)
    assert _steps(db, world.public.slug)[0] == (False, None)
    with db.unit_of_work() as s:
        ledger.append(s, fetch_community(s, world.public.slug), "note", {"text": "two"})
    assert _steps(db, world.public.slug)[0] == (True, None)


def test_a_proposal_step_to_come_is_named_and_one_past_its_time_is_due(
    db: Database, settings: Settings
) -> None:
    world = make_world(db)
    first = make_proposal(db, world.steward, world.public.slug, settings)
    second = make_proposal(db, world.steward, world.public.slug, settings, title="Second")
    make_proposal(db, world.steward, world.public.slug, settings, opened=False, title="Draft")
    with db.unit_of_work() as s:
        closes = {
            p.number: p.closes_at
            for p in s.query(Proposal).filter(Proposal.number.in_([first, second]))
        }
    (due, coming), statements = _steps(db, world.public.slug)
    assert (due, statements) == (False, 1)  # opening them sealed the ledger
    assert coming is not None and coming == min(c for c in closes.values() if c is not None)
    past = datetime.now(UTC) - timedelta(minutes=1)
    with db.unit_of_work() as s:
        s.execute(update(Proposal).where(Proposal.number == first).values(closes_at=past))
    (due, coming), _ = _steps(db, world.public.slug)
    assert due is True
    assert coming == closes[second]  # the one still to come

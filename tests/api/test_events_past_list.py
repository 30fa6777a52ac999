"""The events page lists the latest `PAST_SHOWN` past events, newest first, and reads no
more of them than it shows (a community's years of events are not all loaded per view)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from commonpot.db import Database, utcnow
from commonpot.events.web import PAST_SHOWN
from tests.factories.accounts import make_world
from tests.factories.events import make_event
from tests.factories.governance import fetch_community


def test_the_page_lists_the_latest_past_events_and_reads_no_more(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    start = utcnow().replace(microsecond=0) - timedelta(days=400)
    with db.unit_of_work() as session:
        community = fetch_community(session, world.public.slug)
        for day in range(PAST_SHOWN + 5):
            make_event(
                session,
                community,
                world.steward,
                title=f"Preserving day {day:02d}",
                starts_at=start + timedelta(days=day),
                visibility="public",
            )
    sent: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(" ".join(statement.split()).lower())

    # every engine's: PostgreSQL's reads go through the event loop's own
    event.listen(Engine, "before_cursor_execute", note)
    try:
        page = client.get(f"/communities/{world.public.slug}/events?fresh=1")
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert page.status_code == 200
    past = page.text[page.text.index('id="past-h"') :]
    shown = [day for day in range(PAST_SHOWN + 5) if f"Preserving day {day:02d}" in past]
    assert shown == list(range(5, PAST_SHOWN + 5))  # the latest twenty
    positions = [past.index(f"Preserving day {day:02d}") for day in reversed(shown)]
    assert positions == sorted(positions)  # newest first
    # the one statement that reads the events ranks the past ones latest first and keeps
    # only the first PAST_SHOWN of them
    listed = [sql for sql in sent if sql.startswith("select event_events.id")]
    assert len(listed) == 1
    assert "order by event_events.starts_at desc" in listed[0]
    assert "rank <= " in listed[0]

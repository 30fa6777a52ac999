"""Sign-up throughput under contention: the locked, capacity-safe path vs a plain insert.

    .venv/bin/python benchmarks/bench_events_signup.py [--quick] [--pg URL]

Each run signs N people up for one event from T threads at once. The baseline inserts the
same registrations without locking the event or counting places (what oversells); the ratio
is what exactness costs. SQLite always; PostgreSQL when --pg is given.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from commonpot import migrate
from commonpot.accounts import security
from commonpot.accounts.models import User
from commonpot.accounts.service import OPERATOR, Viewer, create_user
from commonpot.communities.models import Community
from commonpot.communities.service import add_member, create_community
from commonpot.db import Database, utcnow
from commonpot.events import service, signup
from commonpot.events.models import Event, Registration
from commonpot.events.schemas import EventIn
from commonpot.wiring import open_database


def _world(db: Database, people: int) -> tuple[int, int, list[int]]:
    with db.unit_of_work() as s:
        steward = create_user(s, email="s@x.org", display_name="S", password="p" * 12)
        community = create_community(s, OPERATOR, slug="bench", name="Bench", steward=steward)
        ids = []
        for i in range(people):
            user = create_user(s, email=f"u{i}@x.org", display_name=f"U{i}", password="p" * 12)
            add_member(s, community, user)
            ids.append(user.id)
        from datetime import timedelta

        start = utcnow() + timedelta(days=1)
        event = service.create_event(
            s,
            community,
            Viewer(user=steward),
            EventIn(
                title="Bench",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=people // 4,
            ),
        )
        return community.id, event.id, ids


def _run(threads: int, ids: list[int], work: Callable[[int], None]) -> float:
    chunks = [ids[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)

    def worker(chunk: list[int]) -> None:
        barrier.wait()
        for user_id in chunk:
            work(user_id)

    pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - t0


def bench(url: str, people: int, threads: int) -> None:
    """Print sign-ups per second for the safe path and the baseline on one database."""
    db = open_database(url)
    community_id, event_id, ids = _world(db, people)

    def safe(user_id: int) -> None:
        with db.unit_of_work() as s:
            community = s.get(Community, community_id)
            event = s.get(Event, event_id)
            assert community is not None
            assert event is not None
            signup.register(s, community, Viewer(user=s.get(User, user_id)), event)

    def plain(user_id: int) -> None:
        with db.unit_of_work() as s:
            s.add(Registration(community_id=community_id, event_id=event_id, user_id=user_id))

    safe_s = _run(threads, ids, safe)
    with db.unit_of_work() as s:
        event = s.get(Event, event_id)
        assert event is not None
        numbers = signup.counts(s, event)
        s.query(Registration).delete()
    plain_s = _run(threads, ids, plain)
    kind = "sqlite" if db.is_sqlite else "postgresql"
    print(
        f"{kind:<11} {people:>6} {threads:>7} {people / safe_s:>10.0f} {people / plain_s:>10.0f} "
        f"{safe_s / plain_s:>7.2f}  confirmed={numbers['confirmed']} (capacity {people // 4})"
    )
    db.dispose()


def main() -> None:
    """Run on SQLite (and PostgreSQL if asked) and print one line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg", default="", help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    security.use_cheap_hashing_for_tests()
    people = 80 if args.quick else 400
    print(
        f"{'database':<11} {'people':>6} {'threads':>7} {'safe/s':>10} {'plain/s':>10} {'ratio':>7}"
    )
    folder = Path(tempfile.mkdtemp(prefix="cp-bench-events-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    bench(url, people, threads=8)
    if args.pg:
        migrate.upgrade(args.pg)
        bench(args.pg, people, threads=8)


if __name__ == "__main__":
    main()

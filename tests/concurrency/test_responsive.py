"""Long work must not stall the server: /healthz keeps answering during a big allocation.

Handlers that do database or CPU work are plain `def` (run in the thread pool); an
`async def` handler doing the same work would hold the event loop, and every other request
of the process (health checks included) would wait for it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from commonpot.accounts import service as accounts
from commonpot.accounts.models import User
from commonpot.http import CSRF_COOKIE, SESSION_COOKIE
from commonpot.network.models import AllocationRun, Need, Offer
from tests.concurrency.conftest import Servers, community, make_crowd, make_servers
from tests.conftest import drop_pg_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OFFERS = 2000
NEEDS = 2000


@pytest.fixture(scope="module")
def one_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A single server process (one event loop) on a fresh PostgreSQL database."""
    running = make_servers(tmp_path_factory.mktemp("busy"), "commonpot_busy", workers=1)
    try:
        running.start()
        yield running
    finally:
        running.stop_all()
        running.db.dispose()
        drop_pg_database(running.db_url)


def big_market(servers: Servers, slug: str) -> str:
    """A community with thousands of open offers and needs; returns the steward's session."""
    crowd = make_crowd(servers.db, 0, slug)
    rng = random.Random(11)
    with servers.db.unit_of_work() as s:
        found = community(s, slug)
        user_id = crowd.steward.id
        s.add_all(
            Offer(
                community_id=found.id,
                user_id=user_id,
                category=rng.choice(["veg", "fruit", "grain"]),
                quantity=rng.randint(1, 20),
                lat=52.0 + rng.uniform(-0.2, 0.2),
                lon=5.0 + rng.uniform(-0.2, 0.2),
            )
            for _ in range(OFFERS)
        )
        s.add_all(
            Need(
                community_id=found.id,
                user_id=user_id,
                category=rng.choice(["veg", "fruit", "grain"]),
                quantity=rng.randint(1, 20),
                lat=52.0 + rng.uniform(-0.2, 0.2),
                lon=5.0 + rng.uniform(-0.2, 0.2),
            )
            for _ in range(NEEDS)
        )
        steward = s.get(User, user_id)
        assert steward is not None
        return accounts.start_session(s, steward)


def test_healthz_answers_while_an_allocation_runs(one_server: Servers, tmp_path: Path) -> None:
    """A steward proposes an allocation over 2000 offers from the web form; health stays up."""
    slug = "busy-market"
    session_token = big_market(one_server, slug)
    cookies = {SESSION_COOKIE: session_token, CSRF_COOKIE: "race-csrf"}
    outcome: dict[str, object] = {}

    def propose() -> None:
        started = time.monotonic()
        with httpx.Client(base_url=one_server.url, cookies=cookies, timeout=300) as client:
            response = client.post(
                f"/communities/{slug}/network/runs",
                data={"csrf_token": "race-csrf", "objective": "default"},
            )
        outcome["status"] = response.status_code
        outcome["seconds"] = time.monotonic() - started

    def runs_stored() -> int:
        with one_server.db.unit_of_work(write=False) as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(AllocationRun)
                    .where(AllocationRun.community_id == community(s, slug).id)
                )
                or 0
            )

    worker = threading.Thread(target=propose)
    worker.start()
    waits: list[float] = []
    deadline = time.monotonic() + 240
    with httpx.Client(base_url=one_server.url, timeout=30) as probe:
        time.sleep(0.3)  # let the allocation start
        # the form answers at once (the run is a background job); probe until it is stored
        while (worker.is_alive() or runs_stored() == 0) and time.monotonic() < deadline:
            asked = time.monotonic()
            answer = probe.get("/healthz")
            waits.append(time.monotonic() - asked)
            assert answer.status_code == 200
            time.sleep(0.1)
    worker.join()

    assert outcome["status"] == 303, outcome  # redirected to the job's progress page
    assert runs_stored() == 1
    assert max(waits) < 1.0, f"/healthz waited {max(waits):.1f} s while the allocation ran"
    assert len(waits) >= 3, f"the allocation took only {outcome['seconds']:.1f} s"

"""Fault suite: `kill -9` a server in the middle of commits, votes and imports, restart it.

Afterwards nothing may be half-written (every vote has its ledger entry, every offer's
allocation equals the committed lines on it, every imported recipe has all its
ingredients), nothing the server acknowledged may be missing, and every ledger verifies.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from commonpot.accounts.service import Viewer
from commonpot.governance.models import Checkpoint, LedgerEntry, Proposal, Vote
from commonpot.network import runs
from commonpot.network.models import AllocationRun, Assignment, Offer
from commonpot.recipes.models import Recipe, RecipeIngredient
from tests.concurrency.conftest import Servers, community, make_crowd, make_servers
from tests.conftest import drop_pg_database
from tests.factories.governance import make_proposal
from tests.factories.network import add_need, add_offer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

Request = Callable[[httpx.Client, int], httpx.Response]


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """One server process (killed and restarted by the tests) on a fresh database."""
    running = make_servers(tmp_path_factory.mktemp("faults"), "commonpot_fault", workers=1)
    try:
        running.start()
        yield running
    finally:
        running.stop_all()
        running.db.dispose()
        drop_pg_database(running.db_url)


def burst_then_kill(
    servers: Servers,
    request: Request,
    total: int,
    clients: int = 12,
    min_answers: int = 5,
    kill_after: float = 0.05,
) -> dict[int, int]:
    """Send requests 0..total-1 from many threads, kill -9 the server meanwhile, restart it.

    The kill comes just after `min_answers` requests were answered, so that some are done
    and others are in flight (some of them mid-transaction).

    Returns the status of every request that got an answer (index -> status); requests cut
    off by the kill have none.
    """
    answered: dict[int, int] = {}
    lock = threading.Lock()
    next_index = iter(range(total))

    def work() -> None:
        with httpx.Client(base_url=servers.url, timeout=60) as client:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                try:
                    status = request(client, index).status_code
                except httpx.HTTPError:
                    continue  # cut off by the kill: neither acknowledged nor refused
                with lock:
                    answered[index] = status

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(answered) < min_answers and time.monotonic() < deadline:
        time.sleep(0.01)  # some requests are through: the kill lands among the ones in flight
    time.sleep(kill_after)
    servers.kill(servers.procs[-1])
    for thread in threads:
        thread.join(timeout=120)
    servers.start()
    assert len(answered) < total, "the kill came after every request was done"
    return answered


def ledger_consistent(servers: Servers, slug: str) -> None:
    """Checkpoints never cover more than the entries, and the CLI verifies the ledger."""
    with servers.db.unit_of_work(write=False) as s:
        found = community(s, slug)
        entries = s.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.community_id == found.id)
        )
        biggest = s.scalar(
            select(func.max(Checkpoint.size)).where(Checkpoint.community_id == found.id)
        )
    assert biggest is None or biggest <= (entries or 0)
    servers.verify_ledger(slug)


def test_kill_during_votes(victim: Servers) -> None:
    """Every stored vote has its ledger entry, every acknowledged vote is stored."""
    crowd = make_crowd(victim.db, 40, f"killvotes-{uuid.uuid4().hex[:6]}")
    numbers = [
        make_proposal(victim.db, crowd.steward, crowd.slug, victim.settings, title=f"Idea {i}")
        for i in range(2)
    ]

    def vote(client: httpx.Client, i: int) -> httpx.Response:
        return client.put(
            f"/api/communities/{crowd.slug}/proposals/{numbers[i % 2]}/vote",
            json={"ballot": {"choice": "yes"}},
            headers=crowd.headers[i // 2],
        )

    answered = burst_then_kill(victim, vote, total=80, min_answers=10)

    assert all(status < 500 for status in answered.values()), answered
    acknowledged = {i for i, status in answered.items() if status == 200}
    with victim.db.unit_of_work(write=False) as s:
        found = community(s, crowd.slug)
        stored = {
            (number, voter)
            for number, voter in s.execute(
                select(Proposal.number, Vote.voter_id)
                .join(Proposal, Proposal.id == Vote.proposal_id)
                .where(Proposal.community_id == found.id)
            )
        }
        entries = [
            json.loads(data)
            for data in s.scalars(
                select(LedgerEntry.data).where(LedgerEntry.community_id == found.id)
            )
        ]
    in_ledger = {(e["proposal"], e["voter"]) for e in entries if e["type"] == "vote.cast"}
    assert stored == in_ledger  # no vote without its entry, no entry without its vote
    for i in acknowledged:
        assert (numbers[i % 2], crowd.members[i // 2].id) in stored
    ledger_consistent(victim, crowd.slug)


def test_kill_during_run_commits(victim: Servers) -> None:
    """Each offer's allocation equals the committed lines on it; runs are all or nothing."""
    crowd = make_crowd(victim.db, 0, f"killruns-{uuid.uuid4().hex[:6]}")
    with victim.db.unit_of_work() as s:
        found = community(s, crowd.slug)
        steward = s.get(type(crowd.steward), crowd.steward.id)
        run_ids: list[int] = []
        for batch in range(8):  # eight separate markets: every run can commit
            for k in range(5):
                add_offer(s, found, steward, 4, north_km=batch * 100 + k, category=f"c{batch}")
                add_need(s, found, steward, 3, north_km=batch * 100 + k, category=f"c{batch}")
            run_ids.append(runs.create_run(s, found, Viewer(user=steward)).id)

    def commit(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"/api/communities/{crowd.slug}/network/runs/{run_ids[i % 8]}/commit",
            headers=crowd.steward_headers,
        )

    answered = burst_then_kill(victim, commit, total=40, clients=8, min_answers=2)

    assert all(status < 500 for status in answered.values()), answered
    with victim.db.unit_of_work(write=False) as s:
        committed = set(
            s.scalars(
                select(AllocationRun.id).where(
                    AllocationRun.id.in_(run_ids), AllocationRun.status == "committed"
                )
            )
        )
        lines: dict[int, int] = {}
        for line in s.scalars(select(Assignment).where(Assignment.run_id.in_(committed))):
            lines[line.offer_id] = lines.get(line.offer_id, 0) + line.quantity
        for offer in s.scalars(
            select(Offer).where(Offer.community_id == community(s, crowd.slug).id)
        ):
            assert offer.allocated == lines.get(offer.id, 0), offer.id
            assert offer.allocated <= offer.quantity
    acknowledged = {run_ids[i % 8] for i, status in answered.items() if status == 200}
    assert acknowledged <= committed


def recipe_document(i: int) -> str:
    """A JSON-LD recipe with six ingredients."""
    return json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "Recipe",
            "name": f"Fault-tolerant stew {i}",
            "recipeIngredient": [f"{k + 1} cups ingredient {k}" for k in range(6)],
            "recipeInstructions": ["Chop.", "Simmer.", "Serve."],
        }
    )


def test_kill_during_imports(victim: Servers) -> None:
    """Every imported recipe has all six ingredients; every acknowledged import is there."""
    crowd = make_crowd(victim.db, 6, f"killimports-{uuid.uuid4().hex[:6]}")

    def upload(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"/api/communities/{crowd.slug}/recipes/import",
            json={"content": recipe_document(i)},
            headers=crowd.headers[i % 6],
        )

    answered = burst_then_kill(victim, upload, total=60, clients=6, min_answers=5)

    assert all(status < 500 for status in answered.values()), answered
    with victim.db.unit_of_work(write=False) as s:
        found = community(s, crowd.slug)
        counts = dict(
            s.execute(
                select(Recipe.name, func.count(RecipeIngredient.id))
                .outerjoin(RecipeIngredient, RecipeIngredient.recipe_id == Recipe.id)
                .where(Recipe.community_id == found.id)
                .group_by(Recipe.id, Recipe.name)
            ).all()
        )
    assert counts, f"no import got through before the kill: {answered}"
    assert set(counts.values()) == {6}
    for i, status in answered.items():
        if status == 201:
            assert f"Fault-tolerant stew {i}" in counts

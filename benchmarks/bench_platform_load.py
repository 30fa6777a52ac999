"""Platform load: many clients, mixed reads and writes, PostgreSQL, several server processes.

    .venv/bin/python benchmarks/bench_platform_load.py [--quick] [--clients 100]
        [--seconds 60] [--workers 4] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Makes a fresh database, starts `commonpot serve --workers N` on it, and lets C clients
(asyncio, one connection each) loop for S seconds over a mix of reads (proposal list,
offers, patches, event, health) and writes (votes on four proposals, offers, harvests,
event sign-ups). Prints requests/s, p50/p95/p99 latency, errors (5xx or no answer) and lost
writes: every write the server acknowledged is looked for in the database afterwards (an
offer or harvest by its id, a vote by its ledger entry, a sign-up by its row), and the
community's ledger is verified. `--quick`: 30 clients for 10 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from commonpot import migrate
from commonpot.accounts import security
from commonpot.accounts.service import OPERATOR, Viewer, create_api_token, create_user
from commonpot.communities.service import add_member, create_community
from commonpot.db import Database, utcnow
from commonpot.events import service as events
from commonpot.events.models import Registration
from commonpot.events.schemas import EventIn
from commonpot.governance import service as governance
from commonpot.governance.models import LedgerEntry
from commonpot.network import service as network
from commonpot.network.models import Harvest, Offer
from commonpot.settings import Settings
from commonpot.wiring import open_database

SECRET = "bench-secret-" + "b" * 40
COMMONPOT = str(Path(sys.executable).with_name("commonpot"))


@dataclass
class World:
    """What the clients act on."""

    slug: str
    tokens: list[str]
    proposals: list[int]
    patch_id: int
    event_id: int


@dataclass
class Tally:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    refused: int = 0  # 4xx answers (expected refusals, e.g. signing up twice)
    offers: set[int] = field(default_factory=set)
    harvests: set[int] = field(default_factory=set)
    votes: int = 0
    signups: set[int] = field(default_factory=set)  # member index


def build_world(db: Database, settings: Settings, members: int) -> World:
    """A community with members (API tokens), four open proposals, a patch and an event."""
    security.use_cheap_hashing_for_tests()  # only this process: the accounts are set up fast
    with db.unit_of_work() as s:
        steward = create_user(s, email="steward@load.test", display_name="S", password="p" * 12)
        community = create_community(
            s, OPERATOR, slug="loadtown", name="Load Town", steward=steward, lat=52.0, lon=5.0
        )
        people = []
        for i in range(members):
            person = create_user(
                s, email=f"m{i}@load.test", display_name=f"Member {i}", password="p" * 12
            )
            add_member(s, community, person)
            people.append(person)
        tokens = [create_api_token(s, p, "load")[1] for p in people]
        lead = Viewer(user=steward)
        numbers = []
        for i in range(4):
            proposal = governance.create_proposal(
                s, community, lead, title=f"Load question {i}", rules={"timelock_seconds": 0}
            )
            governance.open_proposal(s, community, lead, proposal.number, settings)
            numbers.append(proposal.number)
        patch = network.save_patch(
            s,
            community,
            lead,
            name="Big orchard",
            species="Malus domestica",
            lat=52.0,
            lon=5.0,
            sustainable_yield_kg=1e6,
        )
        start = utcnow() + timedelta(days=2)
        event = events.create_event(
            s,
            community,
            lead,
            EventIn(
                title="Load supper",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=30,
            ),
        )
        return World("loadtown", tokens, numbers, patch.id, event.id)


async def client_loop(
    index: int, world: World, url: str, until: float, tally: Tally, rng: random.Random
) -> None:
    """One client: pick a read or a write, send it, note what came back, until time is up."""
    headers = {"Authorization": f"Bearer {world.tokens[index % len(world.tokens)]}"}
    base = f"/api/communities/{world.slug}"
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        while time.monotonic() < until:
            roll = rng.random()
            try:
                started = time.perf_counter()
                if roll < 0.15:
                    number = rng.choice(world.proposals)
                    choice = rng.choice(["yes", "no"])
                    response = await client.put(
                        f"{base}/proposals/{number}/vote", json={"ballot": {"choice": choice}}
                    )
                    kind = "vote"
                elif roll < 0.25:
                    response = await client.post(
                        f"{base}/network/offers",
                        json={"category": "veg", "quantity": 3, "lat": 52.0, "lon": 5.0},
                    )
                    kind = "offer"
                elif roll < 0.33:
                    response = await client.post(
                        f"{base}/network/patches/{world.patch_id}/harvests",
                        json={"quantity_kg": 0.5},
                    )
                    kind = "harvest"
                elif roll < 0.36:
                    response = await client.post(
                        f"{base}/events/{world.event_id}/registrations", json={}
                    )
                    kind = "signup"
                else:
                    path = rng.choice(
                        [
                            f"{base}/proposals",
                            f"{base}/network/offers?status=open",
                            f"{base}/network/patches",
                            f"{base}/events/{world.event_id}",
                            "/healthz",
                        ]
                    )
                    response = await client.get(path)
                    kind = "read"
                took = time.perf_counter() - started
                tally.latencies.append(took)
                tally.by_kind.setdefault(kind, []).append(took)
            except httpx.HTTPError:
                tally.errors += 1
                continue
            if response.status_code >= 500:
                tally.errors += 1
            elif response.status_code >= 400:
                tally.refused += 1
            elif kind == "vote":
                tally.votes += 1
            elif kind == "offer":
                tally.offers.add(int(response.json()["id"]))
            elif kind == "harvest":
                tally.harvests.add(int(response.json()["id"]))
            elif kind == "signup":
                tally.signups.add(index % len(world.tokens))


async def drive(world: World, url: str, clients: int, seconds: float) -> tuple[Tally, float]:
    """Run every client for the given time; returns the tally and the wall time."""
    tally = Tally()
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(
        *(client_loop(i, world, url, until, tally, random.Random(i)) for i in range(clients))
    )
    return tally, time.monotonic() - started


def vote_entries(db: Database) -> int:
    """Ledger entries recording a vote (each acknowledged vote adds exactly one)."""
    with db.unit_of_work(write=False) as s:
        kinds = [json.loads(data)["type"] for data in s.scalars(select(LedgerEntry.data))]
    return sum(kind in {"vote.cast", "vote.changed"} for kind in kinds)


def lost_writes(db: Database, world: World, tally: Tally, votes_before: int) -> dict[str, int]:
    """Acknowledged writes missing from the database, per kind."""
    with db.unit_of_work(write=False) as s:
        offers = set(s.scalars(select(Offer.id).where(Offer.id.in_(tally.offers))))
        harvests = set(s.scalars(select(Harvest.id).where(Harvest.id.in_(tally.harvests))))
        votes = vote_entries(db)
        signed = s.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.event_id == world.event_id)
        )
    return {
        "offers": len(tally.offers - offers),
        "harvests": len(tally.harvests - harvests),
        "votes": max(0, tally.votes - (votes - votes_before)),
        "sign-ups": max(0, len(tally.signups) - int(signed or 0)),
    }


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values fall."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    """Set up, load, check, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 clients for 10 seconds")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    clients, seconds = (30, 10.0) if args.quick else (args.clients, args.seconds)

    name = f"commonpot_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
    data_dir = Path(tempfile.mkdtemp(prefix="commonpot-load-"))
    server: subprocess.Popen[bytes] | None = None
    db = open_database(url)
    try:
        migrate.upgrade(url)
        settings = Settings(database_url=url, secret_key=SECRET, data_dir=data_dir)
        world = build_world(db, settings, members=max(clients, 40))
        votes_before = vote_entries(db)
        port = free_port()
        env = {
            **os.environ,
            "COMMONPOT_DATABASE_URL": url,
            "COMMONPOT_SECRET_KEY": SECRET,
            "COMMONPOT_DATA_DIR": str(data_dir),
        }
        server = subprocess.Popen(
            [COMMONPOT, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            cwd=data_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        tally, wall = asyncio.run(drive(world, base, clients, seconds))
        lost = lost_writes(db, world, tally, votes_before)
        verify = subprocess.run(
            [COMMONPOT, "ledger", "verify", world.slug],
            env=env,
            cwd=data_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        done = len(tally.latencies)
        ms = [x * 1000 for x in tally.latencies]
        print(
            f"platform load: {clients} clients, {wall:.0f} s, PostgreSQL, "
            f"{args.workers} server processes"
        )
        print(f"  requests      {done} answered ({done / wall:.0f} requests/s)")
        print(
            f"  latency ms    p50 {percentile(ms, 0.5):.0f}  p95 {percentile(ms, 0.95):.0f}  "
            f"p99 {percentile(ms, 0.99):.0f}  mean {statistics.fmean(ms) if ms else 0:.0f}"
        )
        for kind, values in sorted(tally.by_kind.items()):
            kind_ms = [x * 1000 for x in values]
            print(
                f"    {kind:<10}  {len(values):>6} requests  p50 {percentile(kind_ms, 0.5):.0f}"
                f"  p95 {percentile(kind_ms, 0.95):.0f}  p99 {percentile(kind_ms, 0.99):.0f}"
            )
        print(f"  errors        {tally.errors} (5xx or no answer); refused (4xx) {tally.refused}")
        acknowledged = len(tally.offers) + len(tally.harvests) + tally.votes + len(tally.signups)
        print(
            f"  writes        {acknowledged} acknowledged: {tally.votes} votes, "
            f"{len(tally.offers)} offers, {len(tally.harvests)} harvests, "
            f"{len(tally.signups)} sign-ups"
        )
        print(f"  lost writes   {sum(lost.values())} {lost}")
        print(f"  ledger        {(verify.stdout or verify.stderr).strip()}")
        if tally.errors or sum(lost.values()) or verify.returncode:
            raise SystemExit(1)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()

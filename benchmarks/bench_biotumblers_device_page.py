"""Biotumbler device page over 90 days of readings, through a real HTTP server under load.

Makes a fresh database (SQLite, then PostgreSQL), stores 90 days of one-minute readings of
one drum (seven batches of about two weeks, the last still in the drum) through the ingest
path, starts `commonpot serve`, and lets C concurrent clients (httpx, one connection each)
fetch the device page (the batch, 24 h and 7 day views, in turn) for S seconds. Baseline in
the same run: `/healthz` (one trivial query) under the same load. Goal: page p95 < 100 ms.

Run: .venv/bin/python benchmarks/bench_biotumblers_device_page.py [--quick] [--no-postgres]
    [--clients 1,8] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from tests.conftest import create_pg_database, drop_pg_database

from commonpot import migrate
from commonpot.accounts.service import OPERATOR
from commonpot.biotumblers import ingest, service
from commonpot.biotumblers.simulate import simulate
from commonpot.communities.models import Community
from commonpot.db import utcnow
from commonpot.wiring import open_database

SECRET = "bench-secret-" + "d" * 40
COMMONPOT = str(Path(sys.executable).with_name("commonpot"))
PATH = "/communities/bench/biotumblers/drum"
VIEWS = ("", "?span=24h", "?span=7d")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fill(url: str, days: int) -> int:
    """One drum with `days` of one-minute readings in batches of 13 days; how many stored."""
    migrate.upgrade(url)
    db = open_database(url)
    now = utcnow().replace(second=0, microsecond=0)
    start = now - timedelta(days=days)
    with db.unit_of_work() as s:
        community = Community(slug="bench", name="Bench", visibility="public")
        s.add(community)
        s.flush()
        service.register_device(s, community, OPERATOR, device="drum", lat=52.0, lon=5.0)
    stored, begin, seed = 0, start, 1
    while begin < now:
        end = min(begin + timedelta(days=13), now)
        with db.unit_of_work() as s:
            community = s.query(Community).one()
            service.start_batch(s, community, OPERATOR, "drum", started_at=begin)
        found = simulate(begin, end, every=timedelta(minutes=1), seed=seed)
        for at in range(0, len(found), 5000):
            with db.unit_of_work() as s:
                device = service.device_by_topic(s, "bench", "drum")
                assert device is not None
                ingest.store(s, device, found[at : at + 5000], live=False, notify=False)
        stored += len(found)
        if end < now:
            with db.unit_of_work() as s:
                community = s.query(Community).one()
                service.end_batch(s, community, OPERATOR, "drum", ended_at=end)
        begin, seed = end, seed + 1
    db.dispose()
    return stored


async def drive(base: str, path: str, clients: int, seconds: float) -> list[float]:
    """C clients loop for S seconds; every answered request's latency (errors raise)."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def one(number: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            turn = number
            while time.perf_counter() < stop:
                target = path + (VIEWS[turn % len(VIEWS)] if path == PATH else "")
                started = time.perf_counter()
                r = await client.get(target)
                latencies.append(time.perf_counter() - started)
                assert r.status_code == 200, (target, r.status_code)
                turn += 1

    await asyncio.gather(*(one(n) for n in range(clients)))
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def run(name: str, url: str, days: int, clients: list[int], seconds: float) -> None:
    started = time.perf_counter()
    stored = fill(url, days)
    filled = time.perf_counter() - started
    data_dir = Path(tempfile.mkdtemp(prefix="bench-bt-page-"))
    port = free_port()
    env = {**os.environ, "COMMONPOT_DATABASE_URL": url, "COMMONPOT_SECRET_KEY": SECRET,
           "COMMONPOT_DATA_DIR": str(data_dir)}  # fmt: skip
    server = subprocess.Popen(
        [COMMONPOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
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
        page = httpx.get(base + PATH, timeout=60)
        assert page.status_code == 200
        assert "bt-temperature" in page.text
        asyncio.run(drive(base, PATH, max(clients), 2.0))  # warm up
        results = []
        for many in clients:
            health = asyncio.run(drive(base, "/healthz", many, seconds / 2))
            pages = asyncio.run(drive(base, PATH, many, seconds))
            results.append((many, health, pages))
    finally:
        server.terminate()
        server.wait(30)
    print(f"{name}: {stored:,} readings over {days} days (stored through ingest in {filled:.0f} s)")
    for many, health, pages in results:
        p95, base95 = percentile(pages, 0.95), percentile(health, 0.95)
        print(
            f"  {many} concurrent clients: device page {len(pages) / seconds:.0f} pages/s, "
            f"p50 {percentile(pages, 0.5):.0f} ms, p95 {p95:.0f} ms (goal < 100) | /healthz "
            f"baseline p50 {percentile(health, 0.5):.0f} ms, p95 {base95:.0f} ms | p95 ratio "
            f"{p95 / max(base95, 0.001):.1f}x | load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="14 days, 8 seconds.")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    parser.add_argument("--clients", default="1,8", help="Concurrency levels, comma-separated.")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    days, seconds = (14, 8.0) if args.quick else (90, args.seconds)
    clients = [int(c) for c in args.clients.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="bench-bt-page-db-"))
    run("sqlite", f"sqlite:///{folder / 'page.db'}", days, clients, seconds)
    if not args.no_postgres:
        url = create_pg_database("bench_bt_page")
        try:
            run("postgresql", url, days, clients, seconds)
        finally:
            drop_pg_database(url)


if __name__ == "__main__":
    main()

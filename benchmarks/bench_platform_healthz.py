"""`/healthz` latency while a 50,000-offer allocation started on the web runs, both databases.

A real `uvicorn` process (httptools on the asyncio loop, the embedded SqliteHuey consumer, as
`commonpot serve` runs it) on a fresh SQLite file and on a fresh PostgreSQL database with
N offers and N needs (the issue's uniform-square generator). The baseline is the same
probe on the same idle server just before the run is started; then the run is POSTed
(timed: it must return at once) and `/healthz` is probed every 50 ms until the job is done.
Prints p50/p95/max of both and the ratio busy/idle (goal: busy p95 < 100 ms).

Run: .venv/bin/python benchmarks/bench_platform_healthz.py [--quick] [--offers N]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.factories.platform import big_network, free_port
from tests.integration.test_platform_serving import PARAMS, start_server, wait_ready

from commonpot import migrate
from commonpot.accounts.service import OPERATOR, create_api_token, create_user
from commonpot.communities.service import create_community
from commonpot.wiring import open_database


def stats(values: list[float]) -> tuple[float, float, float]:
    """(p50, p95, max) in ms."""
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)
    return statistics.median(values), p95, max(values)


def prepare(url: str, offers: int) -> str:
    """Migrate, make a steward with a token and a community with a big network; the token."""
    migrate.upgrade(url)
    db = open_database(url)
    with db.unit_of_work() as s:
        steward = create_user(
            s, email="steward@bench.test", display_name="Steward", password="p" * 12
        )
        community = create_community(
            s, OPERATOR, slug="bench", name="Bench", steward=steward, lat=52.0, lon=5.0
        )
        _, token = create_api_token(s, steward, "bench")
        community_id = community.id
    big_network(db, community_id, None, offers)
    db.dispose()
    return token


def measure(label: str, url: str, offers: int, folder: Path) -> None:
    """Serve, probe idle, start the run, probe until done; print the figures."""
    token = prepare(url, offers)
    port = free_port()
    env = {
        "COMMONPOT_DATABASE_URL": url,
        "COMMONPOT_DATA_DIR": str(folder / f"var-{label}"),
        "COMMONPOT_SECRET_KEY": "s" * 40,
        "COMMONPOT_JOBS_EMBEDDED": "1",
        "COMMONPOT_JOBS_BACKEND": "sqlite",
    }
    log = folder / f"server-{label}.log"
    proc = start_server(env, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc, log)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            idle: list[float] = []
            for _ in range(100):
                t0 = time.perf_counter()
                client.get("/healthz").raise_for_status()
                idle.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.02)
            t0 = time.perf_counter()
            answer = client.post(
                "/api/communities/bench/network/runs/jobs",
                json={"objective": "default", "params": PARAMS},
            )
            start_ms = (time.perf_counter() - t0) * 1000
            answer.raise_for_status()
            job_id = answer.json()["id"]
            busy: list[float] = []
            errors = 0
            state = "queued"
            began = time.perf_counter()
            while state not in ("done", "failed") and time.perf_counter() - began < 1800:
                for _ in range(10):
                    t0 = time.perf_counter()
                    try:
                        ok = client.get("/healthz").status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    busy.append((time.perf_counter() - t0) * 1000)
                    errors += not ok
                    time.sleep(0.05)
                state = client.get(f"/api/jobs/{job_id}").json()["state"]
            took = time.perf_counter() - began
    finally:
        proc.terminate()
        proc.wait(30)
    i50, i95, imax = stats(idle)
    b50, b95, bmax = stats(busy)
    print(
        f"[{label}] {offers} offers: POST answered in {start_ms:.0f} ms; run {state} in "
        f"{took:.1f} s\n"
        f"  /healthz idle (baseline): p50 {i50:6.1f}  p95 {i95:6.1f}  max {imax:7.1f} ms\n"
        f"  /healthz during the run:  p50 {b50:6.1f}  p95 {b95:6.1f}  max {bmax:7.1f} ms  "
        f"(n={len(busy)}, errors {errors}; goal p95 < 100 ms)\n"
        f"  ratio busy/idle: p50 {b50 / i50:5.1f}x  p95 {b95 / i95:5.1f}x"
    )


def main() -> None:
    """Print the figures for SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5,000 offers instead of 50,000")
    parser.add_argument("--offers", type=int, default=0)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    offers = args.offers or (5000 if args.quick else 50000)
    folder = Path(tempfile.mkdtemp(prefix="bench-healthz-"))
    if args.only in (None, "sqlite"):
        measure("sqlite", f"sqlite:///{folder / 'bench.db'}", offers, folder)
    if args.only in (None, "postgresql"):
        admin = make_url(args.pg)
        name = f"bench_healthz_{uuid.uuid4().hex[:8]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # no PostgreSQL here: say so, keep the SQLite figure
            print(f"[postgresql] skipped ({type(exc).__name__}: {exc})")
            return
        try:
            url = admin.set(database=name).render_as_string(hide_password=False)
            measure("postgresql", url, offers, folder)
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()


if __name__ == "__main__":
    main()

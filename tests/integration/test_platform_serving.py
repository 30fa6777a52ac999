"""A big allocation started on the web returns at once; the server keeps answering meanwhile.

A real uvicorn process (httptools on the asyncio loop, as `commonpot serve` runs it) with
the embedded job consumer, on SQLite and on PostgreSQL: the run is solved in the background
while `/healthz` is timed throughout, and its progress arrives live over server-sent events.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from commonpot.accounts import service as accounts
from commonpot.accounts.models import User
from commonpot.db import Database
from tests.factories.accounts import make_world
from tests.factories.platform import big_network, free_port

# the figure: 50,000 offers (and as many needs); measured at about 30 s on SQLite and
# 45 s on PostgreSQL on two cores, setup included. COMMONPOT_TEST_BIG_OFFERS=5000 for a quick run.
OFFERS = int(os.environ.get("COMMONPOT_TEST_BIG_OFFERS", "50000"))
PARAMS = {"candidates_per_need": 10, "max_distance_km": 3}


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """uvicorn with httptools on the asyncio loop, as `commonpot serve` runs it."""
    with log.open("wb") as out:
        return _popen(env, port, out)


def _popen(env: dict[str, str], port: int, out: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "commonpot.app:create_served_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--loop", "asyncio",
            "--http", "httptools", "--log-level", "warning",
        ],
        env={**os.environ, **env},
        stdout=out,  # type: ignore[arg-type]
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until /healthz answers (or the process died)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not start: " + log.read_text())


@pytest.fixture
def server(db: Database, tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """(base URL, a steward's API token, the community id) on a served big network."""
    w = make_world(db)
    with db.unit_of_work() as s:
        _, token = accounts.create_api_token(s, s.get(User, w.steward.id), "test")  # type: ignore[arg-type]
    big_network(db, w.public.id, None, OFFERS)
    port = free_port()
    env = {
        "COMMONPOT_DATABASE_URL": db.url,
        "COMMONPOT_DATA_DIR": str(tmp_path / "var"),
        "COMMONPOT_SECRET_KEY": "s" * 40,
        "COMMONPOT_JOBS_EMBEDDED": "1",
        "COMMONPOT_JOBS_BACKEND": "sqlite",
    }
    log = tmp_path / "server.log"
    proc = start_server(env, port, log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc, log)
        yield base, token, w.public.id
    finally:
        proc.terminate()
        proc.wait(30)


def watch(base: str, token: str, job_id: int, seen: list[dict[str, object]]) -> None:
    """Collect the job's live messages until it is done or failed."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", f"{base}/jobs/{job_id}/live", headers=headers, timeout=600) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:]))
                if seen[-1].get("state") in ("done", "failed"):
                    return


def test_big_allocation_returns_at_once_and_healthz_stays_fast(
    server: tuple[str, str, int], backend: str
) -> None:
    base, token, _ = server
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        started = time.perf_counter()
        answer = client.post(
            "/api/communities/publicville/network/runs/jobs",
            json={"objective": "default", "params": PARAMS},
        )
        start_ms = (time.perf_counter() - started) * 1000
        assert answer.status_code == 202, answer.text
        job = answer.json()
        assert answer.headers["location"] == job["url"] == f"/jobs/{job['id']}"
        seen: list[dict[str, object]] = []
        watcher = threading.Thread(target=watch, args=(base, token, job["id"], seen))
        watcher.start()
        latencies: list[float] = []
        state = job["state"]
        deadline = time.monotonic() + 900
        while state not in ("done", "failed") and time.monotonic() < deadline:
            for _ in range(10):
                t0 = time.perf_counter()
                assert client.get("/healthz").status_code == 200
                latencies.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.05)
            state = client.get(f"/api/jobs/{job['id']}").json()["state"]
        watcher.join(60)
        final = client.get(f"/api/jobs/{job['id']}").json()
    assert final["state"] == "done", final
    assert final["result_url"].startswith("/communities/publicville/network/runs/")
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 20 else max(latencies)
    print(  # the figure the issue asks for
        f"\n[{backend}] {OFFERS} offers: POST answered in {start_ms:.0f} ms; "
        f"/healthz during the run: n={len(latencies)} p50={p50:.1f} ms "
        f"p95={p95:.1f} ms max={max(latencies):.1f} ms"
    )
    assert start_ms < 2000  # returns at once: the solving happens in the background
    assert len(latencies) >= 10  # the run took long enough to measure something
    # the server keeps answering: the figure above is the measurement (100 ms is the goal);
    # the bounds asserted are generous because on two cores the suite's other worker and
    # the solver's process compete with the server for the CPU
    assert p95 < 500
    assert max(latencies) < 3000
    progress = [m.get("progress") for m in seen if m.get("state") == "running"]
    assert any(isinstance(p, int) and 0 < p < 100 for p in progress), seen
    assert seen[-1]["state"] == "done"
    assert seen[-1]["result_url"] == final["result_url"]

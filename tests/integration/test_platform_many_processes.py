"""Many processes: two web servers and a worker on one PostgreSQL and one Redis.

A job queued through server A is done by the worker (the servers run no consumer), and
its progress arrives live through server B's server-sent events (the Redis event bus).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from commonpot.accounts import service as accounts
from commonpot.accounts.models import User
from commonpot.db import Database
from tests.factories.accounts import make_world
from tests.factories.platform import big_network, free_port
from tests.integration.test_platform_serving import PARAMS, start_server, wait_ready, watch

REDIS_URL = os.environ.get("COMMONPOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_two_servers_and_a_worker_share_jobs_and_progress(
    db: Database, backend: str, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("several processes on one database is the PostgreSQL deployment")
    w = make_world(db)
    with db.unit_of_work() as s:
        _, token = accounts.create_api_token(s, s.get(User, w.steward.id), "t")  # type: ignore[arg-type]
    big_network(db, w.public.id, None, 3000)
    env = {
        "COMMONPOT_DATABASE_URL": db.url,
        "COMMONPOT_DATA_DIR": str(tmp_path / "var"),
        "COMMONPOT_SECRET_KEY": "s" * 40,
        "COMMONPOT_REDIS_URL": REDIS_URL,
        "COMMONPOT_EVENT_BUS": "redis",
        "COMMONPOT_JOBS_BACKEND": "redis",
        "COMMONPOT_JOBS_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "COMMONPOT_JOBS_EMBEDDED": "0",
    }
    ports = [free_port(), free_port()]
    procs = [start_server(env, port, tmp_path / f"web{i}.log") for i, port in enumerate(ports)]
    with (tmp_path / "worker.log").open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from commonpot.cli import main; main()", "worker"],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    procs.append(worker)
    try:
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        for i, base in enumerate((a, b)):
            wait_ready(base, procs[i], tmp_path / f"web{i}.log")
        headers = {"Authorization": f"Bearer {token}"}
        started = httpx.post(
            f"{a}/api/communities/publicville/network/runs/jobs",
            json={"objective": "default", "params": PARAMS},
            headers=headers,
            timeout=30,
        )
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        seen: list[dict[str, object]] = []
        watcher = threading.Thread(target=watch, args=(b, token, job_id, seen))
        watcher.start()
        watcher.join(300)
        assert not watcher.is_alive(), "no end state arrived through server B"
        final = httpx.get(f"{b}/api/jobs/{job_id}", headers=headers, timeout=30).json()
        assert final["state"] == "done", final
        assert seen[-1]["state"] == "done"
        running = [m for m in seen if m.get("state") == "running"]
        assert any(0 < int(str(m.get("progress"))) < 100 for m in running), seen
        time.sleep(0.5)
        worker_log = (tmp_path / "worker.log").read_text()
        assert "worker: 2 thread(s) on the RedisHuey queue" in worker_log
        print(f"\nprogress seen through server B: {[m.get('progress') for m in seen]}")
        assert json.dumps(final)  # the job is readable from either server
        assert httpx.get(f"{a}/api/jobs/{job_id}", headers=headers).json()["state"] == "done"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)

"""`make run` needs nothing but SQLite: the real `commonpot` commands, no Redis, no worker.

`commonpot db upgrade` and `commonpot serve` run as `make run` runs them, with an
environment holding only a SQLite URL, a data folder and a secret (every Redis, bus and
jobs setting removed). An allocation started over the API is done by the consumer the
server runs itself, its queue kept in the data folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from commonpot.accounts.service import OPERATOR, create_api_token, create_user
from commonpot.communities.service import create_community
from commonpot.wiring import open_database
from tests.factories.platform import big_network, free_port

COMMONPOT = str(Path(sys.executable).with_name("commonpot"))


def test_serve_on_sqlite_alone_runs_background_jobs_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'commonpot.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONPOT_")}
    env |= {
        "COMMONPOT_DATABASE_URL": url,
        "COMMONPOT_DATA_DIR": str(tmp_path / "var"),
        "COMMONPOT_SECRET_KEY": "m" * 40,
    }
    subprocess.run([COMMONPOT, "db", "upgrade"], env=env, check=True, cwd=tmp_path)
    db = open_database(url)
    with db.unit_of_work() as s:
        steward = create_user(s, email="s@run.test", display_name="S", password="p" * 12)
        community = create_community(
            s, OPERATOR, slug="runville", name="Run", steward=steward, lat=52.0, lon=5.0
        )
        _, token = create_api_token(s, steward, "t")
        community_id = community.id
    big_network(db, community_id, None, 300)
    db.dispose()
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [COMMONPOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            answer = client.post(
                "/api/communities/runville/network/runs/jobs",
                json={"objective": "default", "params": {"max_distance_km": 3}},
            )
            assert answer.status_code == 202, answer.text
            job_id = answer.json()["id"]
            state = answer.json()["state"]
            deadline = time.monotonic() + 120
            while state not in ("done", "failed") and time.monotonic() < deadline:
                time.sleep(0.3)
                found = client.get(f"/api/jobs/{job_id}").json()
                state = found["state"]
        assert state == "done", found
        assert found["progress"] == 100
        assert found["result_url"].startswith("/communities/runville/network/runs/")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
    assert list((tmp_path / "var").glob("jobs*.sqlite3*"))  # the queue lives in the data folder

"""Ledger proof endpoints over HTTP at N entries, against a bare FastAPI hello world.

Builds an N-entry ledger (as `bench_governance_verify_cli.py` does: canonical vote entries,
one signed checkpoint) in a fresh SQLite database, serves it with `commonpot serve`, and
asks, one request after another through a real HTTP client, for inclusion proofs of random
entries in the whole tree and consistency proofs from random earlier sizes. Prints each
endpoint's p50/p95 latency beside the hello world's, measured in this run. Goal: a proof is
O(log n) work, so its latency does not grow with the ledger (a few ms, like any small GET).

    .venv/bin/python benchmarks/bench_governance_proofs_http.py [--quick] [--entries N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_governance_verify_cli import build
from bench_recipes_http import HELLO, free_port, wait_up
from commonpot import migrate
from commonpot.settings import Settings

COMMONPOT = str(Path(sys.executable).with_name("commonpot"))


def latencies(http: httpx.Client, urls: list[str]) -> list[float]:
    """Wall time of each request (ms), checking every answer is a 200."""
    out = []
    for url in urls:
        start = time.perf_counter()
        answer = http.get(url)
        out.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{url}: {answer.status_code} {answer.text[:200]}")
    return out


def summary(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(0.95 * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    n, requests = args.entries, (40 if args.quick else 200)
    folder = Path(tempfile.mkdtemp(prefix="cp-proofs-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    env = {
        **os.environ,
        "COMMONPOT_DATABASE_URL": url,
        "COMMONPOT_DATA_DIR": str(folder / "var"),
        "COMMONPOT_SECRET_KEY": "p" * 40,
        "COMMONPOT_JOBS_EMBEDDED": "0",
        "PYTHONPATH": str(folder),
    }
    migrate.upgrade(url)
    build(url, Settings(database_url=url, data_dir=folder / "var", secret_key="p" * 40), n)
    (folder / "hello_app.py").write_text(HELLO)
    app_port, hello_port = free_port(), free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "env": env}
    server = subprocess.Popen(
        [COMMONPOT, "serve", "--host", "127.0.0.1", "--port", str(app_port)], **quiet
    )
    hello = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "hello_app:app", "--host", "127.0.0.1"),
            *("--port", str(hello_port), "--log-level", "warning", "--no-access-log"),
        ],
        **quiet,
    )
    try:
        base = f"http://127.0.0.1:{app_port}/api/communities/bench/ledger/proof"
        wait_up(f"http://127.0.0.1:{app_port}/healthz", server)
        wait_up(f"http://127.0.0.1:{hello_port}/hello", hello)
        rng = random.Random(18)
        inclusion = [
            f"{base}/inclusion?index={rng.randrange(n)}&tree_size={n}" for _ in range(requests)
        ]
        consistency = [
            f"{base}/consistency?first={rng.randrange(1, n)}&second={n}" for _ in range(requests)
        ]
        hello_urls = [f"http://127.0.0.1:{hello_port}/hello"] * requests
        with httpx.Client(timeout=60.0) as http:
            first = latencies(http, inclusion[:1])[0]  # the first proof after start-up
            cases = {
                "hello world (bare FastAPI)": latencies(http, hello_urls),
                "inclusion proof": latencies(http, inclusion),
                "consistency proof": latencies(http, consistency),
            }
        print(f"ledger of {n:,} entries (SQLite); {requests} sequential requests per case")
        print(f"first inclusion proof after start-up: {first:.1f} ms")
        print(f"{'endpoint':28} {'p50 ms':>8} {'p95 ms':>8} {'x hello p50':>12}")
        hello_p50 = summary(cases["hello world (bare FastAPI)"])[0]
        for name, values in cases.items():
            p50, p95 = summary(values)
            print(f"{name:28} {p50:>8.2f} {p95:>8.2f} {p50 / hello_p50:>12.1f}")
    finally:
        for proc in (server, hello):
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()

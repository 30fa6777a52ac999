"""Biotumbler ingest: readings/s over HTTP and over MQTT (a real mosquitto, 100 devices) into
SQLite and PostgreSQL, against a bare DB-API `executemany` into the same table in the same run;
plus publish-to-stored delay (p50/p99) for MQTT and `assess` over many readings.

Run: .venv/bin/python benchmarks/bench_biotumblers_ingest.py [--quick] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from paho.mqtt.client import CallbackAPIVersion, Client
from paho.mqtt.enums import MQTTProtocolVersion
from sqlalchemy import func, select
from tests.conftest import create_pg_database, drop_pg_database

from commonpot import migrate
from commonpot.accounts.service import OPERATOR
from commonpot.app import create_app
from commonpot.biotumblers import service
from commonpot.biotumblers.assessment import assess
from commonpot.biotumblers.models import Biotumbler, Reading
from commonpot.biotumblers.mqtt import Listener
from commonpot.biotumblers.simulate import simulate
from commonpot.communities.models import Community
from commonpot.settings import Settings
from commonpot.wiring import open_database

T0 = datetime(2026, 11, 1, tzinfo=UTC)
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def stamp(i: int) -> str:
    return (T0 + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def reading(i: int) -> dict[str, Any]:
    return {"t": stamp(i), "temperature_c": {"core": 55 + i % 7, "edge": 53 + i % 5},
            "moisture_pct": 50.0, "oxygen_pct": 12.0}  # fmt: skip


def setup(url: str, devices: int) -> dict[str, str]:
    migrate.upgrade(url)
    db = open_database(url)
    tokens: dict[str, str] = {}
    with db.unit_of_work() as s:
        community = Community(slug="bench", name="Bench", visibility="public")
        s.add(community)
        s.flush()
        for n in range(devices):
            _, token = service.register_device(s, community, OPERATOR, device=f"d{n}")
            tokens[f"d{n}"] = token
        service.register_device(s, community, OPERATOR, device="baseline")
    db.dispose()
    return tokens


def count(db: Any, device: str | None = None) -> int:
    with db.unit_of_work(write=False) as s:
        query = select(func.count()).select_from(Reading)
        if device is not None:
            query = query.join(Biotumbler, Biotumbler.id == Reading.device_id).where(
                Biotumbler.device == device
            )
        return int(s.scalar(query) or 0)


def baseline(url: str, total: int, chunk: int) -> float:
    """A bare client: DB-API executemany of plain INSERTs, `chunk` rows per transaction."""
    db = open_database(url)
    with db.unit_of_work(write=False) as s:
        device_id = s.scalar(select(Biotumbler.id).where(Biotumbler.device == "baseline"))
        community_id = s.scalar(select(Community.id))
    engine = db.engine
    sqlite = url.startswith("sqlite")
    mark = "?" if sqlite else "%s"
    sql = (
        "INSERT INTO biotumbler_readings (community_id, device_id, t, temperature_c, "
        f"moisture_pct, oxygen_pct, turned) VALUES ({', '.join([mark] * 7)})"
    )
    rows = []
    for i in range(total):
        moment = T0 + timedelta(seconds=i)
        t: Any = moment.strftime("%Y-%m-%d %H:%M:%S.000000") if sqlite else moment
        temps = json.dumps({"core": 55 + i % 7, "edge": 53 + i % 5})
        rows.append((community_id, device_id, t, temps, 50.0, 12.0, False))
    raw = engine.raw_connection()
    started = time.perf_counter()
    try:
        cursor = raw.cursor()
        for start in range(0, total, chunk):
            cursor.executemany(sql, rows[start : start + chunk])
            raw.commit()
    finally:
        raw.close()
    elapsed = time.perf_counter() - started
    assert count(db, "baseline") == total
    db.dispose()
    return total / elapsed


def http(url: str, tokens: dict[str, str], per_post: int, posts: int, folder: Path) -> float:
    """POST readings through the ASGI app (validation, token check, upsert, live queue)."""
    app = create_app(Settings(database_url=url, secret_key="b" * 40, data_dir=folder))
    client = TestClient(app)
    device, token = next(iter(tokens.items()))
    bodies = [[reading(p * per_post + i) for i in range(per_post)] for p in range(posts)]
    started = time.perf_counter()
    for body in bodies:
        r = client.post(
            f"/api/communities/bench/biotumblers/{device}/readings",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 202, r.text
    elapsed = time.perf_counter() - started
    assert count(app.state.db, device) == per_post * posts
    app.state.db.dispose()
    return per_post * posts / elapsed


class Timed(Listener):
    """The listener, noting when each message's transaction committed."""

    done: dict[bytes, float]

    def write(self, batch: list[tuple[str, bytes]]) -> None:
        super().write(batch)
        now = time.perf_counter()
        for _, payload in batch:
            self.done[payload] = now


def mqtt(
    url: str,
    broker_port: int,
    devices: int,
    messages: int,
    per_message: int,
    *,
    paced: bool = False,
    offset: int = 10_000_000,
) -> dict[str, float]:
    """100 devices publish batches (QoS 1); one listener stores them. Readings/s and delays.

    Burst: everything is published at once (capacity). Paced: every device sends one batch
    per second, as real devices do (the publish-to-stored delay that matters).
    """
    db = open_database(url)
    listener = Timed(db, f"mqtt://127.0.0.1:{broker_port}", batch_wait=0.02)
    listener.done = {}
    loop = asyncio.new_event_loop()
    stop = threading.Event()

    async def main() -> None:
        task = asyncio.create_task(listener.run())
        while not stop.is_set():
            await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),))
    thread.start()
    while not listener.ready.is_set():
        time.sleep(0.02)
    client = Client(CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5)
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", broker_port)
    client.loop_start()
    sent: dict[bytes, float] = {}
    total = devices * messages * per_message
    started = time.perf_counter()
    for m in range(messages):
        if paced:
            time.sleep(max(0.0, started + m - time.perf_counter()))
        for d in range(devices):
            payload = json.dumps(
                [reading(offset + m * per_message + i) for i in range(per_message)]
            ).encode()
            sent[payload] = time.perf_counter()
            client.publish(f"commonpot/bench/biotumblers/d{d}/data", payload, qos=1)
    deadline = time.perf_counter() + 300
    while listener.stats["stored"] < total and time.perf_counter() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    client.loop_stop()
    client.disconnect()
    stop.set()
    thread.join(10)
    loop.close()
    delays = sorted(listener.done[p] - t for p, t in sent.items() if p in listener.done)
    db.dispose()
    return {
        "rate": listener.stats["stored"] / elapsed,
        "stored": listener.stats["stored"],
        "p50_ms": 1000 * delays[len(delays) // 2],
        "p99_ms": 1000 * delays[min(len(delays) - 1, int(len(delays) * 0.99))],
    }


def start_broker(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 0\nmax_inflight_messages 0\n"
    )
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return proc, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Small sizes (a smoke run).")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    args = parser.parse_args()
    devices = 100
    messages, per_message = (5, 20) if args.quick else (20, 50)
    http_posts, http_per_post = (5, 1000) if args.quick else (20, 2000)
    baseline_total = 20_000 if args.quick else 200_000
    assess_total = 100_000 if args.quick else 1_000_000

    folder = Path(tempfile.mkdtemp(prefix="bench-bt-"))
    proc, port = start_broker(folder)
    backends = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
    made: list[str] = []
    if not args.no_postgres:
        made.append(create_pg_database("bench_bt"))
        backends.append(("postgresql", made[-1]))
    try:
        for name, url in backends:
            tokens = setup(url, devices)
            floor = baseline(url, baseline_total, 1000)
            over_http = http(url, tokens, http_per_post, http_posts, folder)
            over_mqtt = mqtt(url, port, devices, messages, per_message)
            paced = mqtt(url, port, devices, messages, per_message, paced=True, offset=20_000_000)
            print(
                f"{name:10s} baseline executemany {floor:10,.0f} readings/s | "
                f"HTTP {over_http:9,.0f}/s ({over_http / floor:.2f}x) | "
                f"MQTT {over_mqtt['rate']:9,.0f}/s ({over_mqtt['rate'] / floor:.2f}x), "
                f"{int(over_mqtt['stored'])} stored in a burst | paced (100 devices x 1 batch "
                f"of {per_message}/s): {paced['rate']:,.0f}/s, publish-to-stored delay p50 "
                f"{paced['p50_ms']:.0f} ms p99 {paced['p99_ms']:.0f} ms"
            )
        readings = simulate(T0, T0 + timedelta(minutes=assess_total), every=timedelta(minutes=1))
        walls, cpus = [], []
        for _ in range(3):  # best of three: the machine may be shared
            started, cpu = time.perf_counter(), time.process_time()
            verdict = assess(readings)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        print(
            f"assess over {len(readings):,} readings: {min(walls):.2f} s wall (best of 3), "
            f"{min(cpus):.2f} s CPU (sanitised={verdict.sanitised}, {len(verdict.alerts)} alerts; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
    finally:
        proc.terminate()
        proc.wait(10)
        for url in made:
            drop_pg_database(url)


if __name__ == "__main__":
    main()

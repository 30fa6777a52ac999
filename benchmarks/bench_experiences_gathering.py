"""Gathering fan-out: time from the host's chapter change (POST .../lead) to every follower's
server-sent event, for 100 followers on one uvicorn process (the in-process bus), against one
follower in the same run.

Run: .venv/bin/python benchmarks/bench_experiences_gathering.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import uvicorn
from sqlalchemy import select

from commonpot import demo, migrate
from commonpot.accounts import service as accounts
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.app import create_app
from commonpot.communities.models import Community
from commonpot.experiences import gatherings
from commonpot.recipes.models import Recipe
from commonpot.settings import Settings
from commonpot.wiring import open_database

CSRF = "bench-csrf"


async def _follower(
    client: httpx.AsyncClient, url: str, ready: asyncio.Event, got: dict[int, float]
) -> None:
    async with client.stream("GET", url) as response:
        chapter = None
        async for line in response.aiter_lines():
            if line.startswith(": connected"):
                ready.set()
            elif line.startswith("event: lead"):
                chapter = -1
            elif chapter == -1 and line.startswith("data: "):
                value = int(line.split('"chapter": ', 1)[1].split(",", 1)[0])
                got[value] = time.perf_counter()
                chapter = None


async def _round(base: str, gathering: str, token: str, followers: int, rounds: int) -> list[float]:
    limits = httpx.Limits(max_connections=followers + 10)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        readies = [asyncio.Event() for _ in range(followers)]
        seen: list[dict[int, float]] = [{} for _ in range(followers)]
        tasks = [
            asyncio.create_task(_follower(client, f"{gathering}/live", readies[i], seen[i]))
            for i in range(followers)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
        headers = {"authorization": f"Bearer {token}", "x-csrf-token": CSRF}
        cookies = {"commonpot_csrf": CSRF}
        delays = []
        for chapter in range(1, rounds + 1):
            started = time.perf_counter()
            answer = await client.post(
                f"{gathering}/lead", json={"chapter": chapter}, headers=headers, cookies=cookies
            )
            assert answer.status_code == 204, answer.text
            while not all(chapter in s for s in seen):
                await asyncio.sleep(0.001)
            delays.append(max(s[chapter] for s in seen) - started)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return delays


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 6")
    args = parser.parse_args()
    rounds = 3 if args.quick else 6
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        port = _free_port()
        settings = Settings(
            database_url=url, secret_key="bench-" + "x" * 40, data_dir=Path(tmp) / "var"
        )
        db = open_database(url)
        with db.unit_of_work() as s:
            demo.load(s, data_dir=settings.data_dir)
            rosa = s.scalar(select(User).where(User.email == "rosa@riverside.example"))
            assert rosa is not None
            riverside = s.scalar(select(Community).where(Community.slug == "riverside"))
            assert riverside is not None
            pozole = s.scalar(select(Recipe.id).where(Recipe.name.startswith("Pozole rojo")))
            assert pozole is not None
            _, token = accounts.create_api_token(s, rosa, "bench")
            found = gatherings.open_gathering(
                s, riverside, Viewer(user=rosa), pozole, title="Bench telling"
            )
            path = f"/communities/riverside/gatherings/{found.id}"
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            one = asyncio.run(_round(base, path, token, 1, rounds))
            many = asyncio.run(_round(base, path, token, 100, rounds))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            db.dispose()
    p50_one, p50_many = statistics.median(one) * 1000, statistics.median(many) * 1000
    for label, median, delays in (
        ("  1 follower ", p50_one, one),
        ("100 followers", p50_many, many),
    ):
        worst = max(delays) * 1000
        print(f"host's chapter change to {label}: median {median:6.1f} ms, max {worst:6.1f} ms")
    print(f"ratio 100 / 1 followers: {p50_many / p50_one:.1f}x (target: all within 1000 ms)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    main()

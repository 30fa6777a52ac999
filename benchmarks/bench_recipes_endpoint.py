"""Recipe JSON endpoint: CPU per request against a hello-world endpoint in the same app and run.

    .venv/bin/python benchmarks/bench_recipes_endpoint.py [--quick]

Requests go straight to the ASGI app (no network, no test client), so the figures are the
server's own work: routing, the unit of work, the visibility query, loading and serialising.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from commonpot import demo, migrate
from commonpot.app import create_app
from commonpot.recipes.models import Recipe
from commonpot.settings import Settings
from commonpot.wiring import open_database


async def _get(app: Any, path: str) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"cookie", b"commonpot_csrf=x")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    await app(scope, receive, send)
    return status


def _cpu_per_request(app: Any, path: str, count: int) -> float:
    async def run() -> None:
        for _ in range(count):
            assert await _get(app, path) == 200, path

    asyncio.run(run())  # warm up caches and the connection pool
    start = time.process_time()
    asyncio.run(run())
    return (time.process_time() - start) / count * 1e6


def main() -> None:
    """Print CPU microseconds per request for hello-world and recipe endpoints, with ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    count = 100 if parser.parse_args().quick else 1000
    folder = Path(tempfile.mkdtemp(prefix="cp-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    database = open_database(url)
    with database.unit_of_work() as session:
        demo.load(session)
        recipe_id = session.scalar(
            select(Recipe.id).where(Recipe.name == "Pozole rojo de la abuela Carmen")
        )
    database.dispose()
    app = create_app(Settings(database_url=url, secret_key="b" * 40, data_dir=folder / "var"))

    @app.get("/bench/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    base = "/api/communities/riverside/recipes"
    hello_us = _cpu_per_request(app, "/bench/hello", count)
    rows = [
        ("hello world", hello_us),
        ("GET recipe (JSON)", _cpu_per_request(app, f"{base}/{recipe_id}", count)),
        ("GET recipe JSON-LD", _cpu_per_request(app, f"{base}/{recipe_id}/jsonld", count)),
        ("GET list (50)", _cpu_per_request(app, base, count)),
        ("GET search q=masa", _cpu_per_request(app, f"{base}?q=masa", count)),
    ]
    print(f"{'endpoint':<22} {'CPU us/request':>15} {'vs hello':>9}")
    for name, micros in rows:
        print(f"{name:<22} {micros:>15.0f} {micros / hello_us:>8.2f}x")
    print("\ntarget: GET recipe <= 4x hello world")
    app.state.db.dispose()


if __name__ == "__main__":
    main()

"""The live-update bus: in-process, and across processes through Redis and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient

from commonpot.app import create_app
from commonpot.bus import Bus, MemoryBus, make_bus, opened
from commonpot.bus_wire import PostgresBus, RedisBus
from commonpot.db import Database
from commonpot.settings import Settings
from commonpot.wiring import open_database
from tests.factories.accounts import form, make_world, sign_in
from tests.factories.database import empty_all_tables
from tests.factories.loops import in_own_loop

REDIS_URL = "redis://127.0.0.1:6379/0"
T = TypeVar("T")


def _round_trip(publisher: Bus, subscriber: Bus) -> list[dict[str, object] | None]:
    channel = f"test:{uuid.uuid4().hex[:8]}"

    async def run() -> list[dict[str, object] | None]:
        async with opened(subscriber, channel) as sub:
            timer = threading.Timer(0.2, publisher.publish, (channel, {"type": "flash", "n": 1}))
            timer.start()
            first = await sub.get(5)
            quiet = await sub.get(0.2)
            timer.join()
            return [first, quiet]

    return in_own_loop(run)


def test_memory_bus_delivers_in_process() -> None:
    bus = MemoryBus()
    assert _round_trip(bus, bus) == [{"type": "flash", "n": 1}, None]


def test_redis_bus_crosses_connections() -> None:
    one, two = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    try:
        assert _round_trip(one, two) == [{"type": "flash", "n": 1}, None]
    finally:
        one.close()
        two.close()


def test_postgres_bus_crosses_connections(database_urls: dict[str, str]) -> None:
    url = database_urls["postgresql"]
    one, two = PostgresBus(url), PostgresBus(url)
    try:
        assert _round_trip(one, two) == [{"type": "flash", "n": 1}, None]
    finally:
        one.close()
        two.close()


def test_make_bus_refuses_postgres_on_sqlite(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/x.db", event_bus="postgres")
    with pytest.raises(ValueError, match="PostgreSQL"):
        make_bus(settings)
    assert isinstance(make_bus(Settings(event_bus="memory")), MemoryBus)


@pytest.mark.parametrize("kind", ["redis", "postgres"])
def test_flash_called_on_one_server_reaches_a_page_open_on_another(
    kind: str, database_urls: dict[str, str], tmp_path: Path
) -> None:
    url = database_urls["postgresql"]
    db = open_database(url)
    empty_all_tables(db)
    world = make_world(db)

    def server(name: str) -> TestClient:
        settings = Settings(
            database_url=url,
            secret_key="k" * 40,
            data_dir=tmp_path / name,
            base_url="http://testserver",
            event_bus=kind,
            redis_url=REDIS_URL,
        )
        return TestClient(create_app(settings))

    caller, watcher = server("a"), server("b")
    with caller, watcher:
        sign_in(caller, db, world.steward)
        sign_in(watcher, db, world.member)
        lines: list[str] = []
        with watcher.stream("GET", "/communities/publicville/events/live?limit=1") as stream:
            chunks = stream.iter_lines()
            while not next(chunks).startswith(": connected"):
                pass
            made = caller.post(
                "/communities/publicville/events/flash",
                data=form({"title": "Bring your ancestral recipe", "in_minutes": "120"}),
                follow_redirects=False,
            )
            assert made.status_code == 303
            for line in chunks:
                lines.append(line)
                if line.startswith("data:"):
                    break
    for client in (caller, watcher):
        client.app.state.db.dispose()  # type: ignore[attr-defined]
    db.dispose()
    assert "event: flash" in lines
    assert "Bring your ancestral recipe" in lines[-1]


def test_a_dead_bus_never_breaks_pages_or_sign_ups(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    world = make_world(db)
    dead = settings.model_copy(update={"event_bus": "redis", "redis_url": "redis://127.0.0.1:9/0"})
    app = create_app(dead)
    try:
        with TestClient(app) as client:
            sign_in(client, db, world.steward)
            made = client.post(
                "/communities/publicville/events/flash",
                data=form({"title": "Soup at the plaza"}),
                follow_redirects=False,
            )
            assert made.status_code == 303  # committed although the live update was lost
            live = client.get("/communities/publicville/events/live")
            assert live.status_code == 200
            assert "live updates are unavailable" in live.text
            assert "Soup at the plaza" in client.get("/communities/publicville/events").text
    finally:
        app.state.db.dispose()


def test_many_open_pages_share_one_listen_connection(database_urls: dict[str, str]) -> None:
    import psycopg

    from commonpot.bus_wire import libpq_url

    url = database_urls["postgresql"]
    bus = PostgresBus(url)

    def listening() -> int:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query = 'LISTEN commonpot_bus'"
            ).fetchone()
            return int(row[0]) if row else 0

    async def run() -> tuple[int, list[dict[str, object] | None], int]:
        subs = [await bus.subscribe(f"community:{i % 2}") for i in range(6)]
        during = listening()
        bus.publish("community:1", {"type": "count", "n": 7})
        got = [await sub.get(5 if i % 2 else 0.3) for i, sub in enumerate(subs)]
        for sub in subs:
            await sub.close()
        return during, got, listening()

    during, got, after = in_own_loop(run)
    assert during == 1
    assert got == [None, {"type": "count", "n": 7}] * 3
    assert after == 0

"""Federation test helpers: instances on their own databases, routed to each other in-process."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot import migrate
from commonpot.app import create_app
from commonpot.db import Database
from commonpot.federation import delivery, instance
from commonpot.federation.ap import CLIENT_KEY
from commonpot.federation.client import Client
from commonpot.settings import Settings
from commonpot.wiring import open_database
from tests.conftest import create_pg_database, drop_pg_database
from tests.factories.database import empty_all_tables


@functools.lru_cache(maxsize=1)
def key_pool() -> tuple[Any, ...]:
    """A few RSA keys made once per test process (making one costs ~0.2 s)."""
    from commonpot.federation.signatures import new_private_key

    return tuple(new_private_key() for _ in range(8))


def seed_keys(data_dir: Path, names: tuple[str, ...] = ("_instance", "alpha", "beta")) -> None:
    """Put ready keys where the instance keeps them, as an operator restoring a backup would."""
    from commonpot.federation.keys import key_dir
    from commonpot.federation.signatures import private_pem

    folder = key_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    offset = 0 if "a" in data_dir.name else 3
    for n, name in enumerate(names):
        path = folder / f"{name}.pem"
        path.write_bytes(private_pem(key_pool()[(n + offset) % 6]))
        path.chmod(0o600)


class Router(httpx.BaseTransport):
    """Routes requests by host to in-process ASGI apps (or handlers), like DNS for tests."""

    def __init__(self) -> None:
        self.apps: dict[str, TestClient] = {}
        self.handlers: dict[str, Callable[[httpx.Request], httpx.Response]] = {}
        self.seen: list[tuple[str, str]] = []

    def add_app(self, host: str, app: FastAPI) -> None:
        """Serve `host` with an app."""
        self.apps[host] = TestClient(app, base_url=f"http://{host}", follow_redirects=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request to the app (or handler) serving its host."""
        host = request.url.netloc.decode("ascii")
        self.seen.append((request.method, str(request.url)))
        request.read()
        if host in self.handlers:
            return self.handlers[host](request)
        client = self.apps.get(host)
        if client is None:
            raise httpx.ConnectError(f"no route to {host}", request=request)
        answer = client.request(
            request.method, str(request.url), headers=dict(request.headers), content=request.content
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@dataclass
class Instance:
    """One commonpot server: its settings, app, database and federation context."""

    host: str
    settings: Settings
    app: FastAPI
    db: Database
    fed: instance.Fed
    http: TestClient = field(init=False)

    def __post_init__(self) -> None:
        self.http = TestClient(self.app, base_url=f"http://{self.host}")

    def deliver(self) -> delivery.Report:
        """One delivery pass."""
        with self.db.unit_of_work() as s:
            return delivery.deliver(s, self.fed, workers=2)

    def count(self, model: Any, *where: Any) -> int:
        """Rows of a table (matching `where`)."""
        with self.db.unit_of_work(write=False) as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def empty(database: Database) -> None:
    """Empty every table (as the shared `db` fixture does)."""
    empty_all_tables(database)


@pytest.fixture(scope="session")
def second_database_urls(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[dict[str, str]]:
    """A second migrated database per backend (the other instance's)."""
    made: list[str] = []

    class Lazy(dict[str, str]):
        def __missing__(self, backend: str) -> str:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp(f'fed-{worker_id}') / 'b.db'}"
            else:
                url = create_pg_database(f"commonpot_fed_{worker_id}")
                made.append(url)
            migrate.upgrade(url)
            self[backend] = url
            return url

    yield Lazy()
    for url in made:
        drop_pg_database(url)


def make_instance(host: str, db_url: str, data_dir: Path, router: Router) -> Instance:
    """An instance at http://host on `db_url` whose outgoing requests go through `router`."""
    settings = Settings(
        database_url=db_url,
        secret_key="test-secret-key-" + "x" * 32,
        data_dir=data_dir,
        base_url=f"http://{host}",
        federation_allow_http=True,
    )
    seed_keys(data_dir)
    app = create_app(settings)
    client = Client(allow_http=True, transport=router)
    app.state.extensions[CLIENT_KEY] = client
    router.add_app(host, app)
    db = open_database(db_url)
    empty(db)
    return Instance(host, settings, app, db, instance.context(settings, client))


@pytest.fixture
def pair(
    db_url: str, backend: str, second_database_urls: dict[str, str], tmp_path: Path
) -> Iterator[tuple[Instance, Instance, Router]]:
    """Two instances, a.test (the test's database) and b.test (a second one), on one backend."""
    router = Router()
    a = make_instance("a.test", db_url, tmp_path / "a", router)
    b = make_instance("b.test", second_database_urls[backend], tmp_path / "b", router)
    yield a, b, router
    for one in (a, b):
        one.fed.client.close()
        one.db.dispose()
        one.app.state.db.dispose()


class FakeActor:
    """A remote fediverse account with its own RSA key, served by a Router handler."""

    def __init__(
        self, host: str, name: str, document: dict[str, Any] | None = None, key_index: int = 6
    ) -> None:
        from commonpot.federation.signatures import public_pem

        self.host = host
        self.id = f"http://{host}/users/{name}"
        self.key = key_pool()[key_index]
        self.document = document or {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.id,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "inbox": self.id + "/inbox",
            "endpoints": {"sharedInbox": f"http://{host}/inbox"},
        }
        self.document["publicKey"] = {
            "id": self.id + "#main-key",
            "owner": self.id,
            "publicKeyPem": public_pem(self.key),
        }
        self.received: list[dict[str, Any]] = []

    @property
    def key_id(self) -> str:
        """The id of its key."""
        return str(self.document["publicKey"]["id"])

    def serve(self, request: httpx.Request) -> httpx.Response:
        """Answer GETs of the actor (and its key) and take POSTs to its inboxes."""
        import json

        if request.method == "POST":
            self.received.append(json.loads(request.content))
            return httpx.Response(202)
        if str(request.url).split("#", 1)[0] == self.id:
            return httpx.Response(
                200, json=self.document, headers={"content-type": "application/activity+json"}
            )
        return httpx.Response(404)


@pytest.fixture
def solo(db_url: str, tmp_path: Path) -> Iterator[tuple[Instance, Router]]:
    """One instance (b.test) on the test's database, with a router for fake remote actors."""
    router = Router()
    b = make_instance("b.test", db_url, tmp_path / "b", router)
    yield b, router
    b.fed.client.close()
    b.db.dispose()
    b.app.state.db.dispose()

"""Real server processes on one PostgreSQL database, and many clients at once.

`servers` starts `commonpot serve --workers 2` (two processes behind one port) on a fresh,
migrated PostgreSQL database; tests build their data through the services on the same
database, fire requests from a thread pool released together by a barrier, and then check
the database and the ledgers. Every process started here is stopped (by its own process
group) and the database is dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from commonpot import migrate
from commonpot.accounts import service as accounts
from commonpot.accounts.models import User
from commonpot.communities import service as communities
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.settings import Settings
from commonpot.wiring import open_database
from tests.conftest import create_pg_database, drop_pg_database
from tests.factories.accounts import make_community, make_user

COMMONPOT = str(Path(sys.executable).with_name("commonpot"))
SECRET = "race-secret-" + "z" * 40


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Servers:
    """Running server processes on one database, and what tests need to reach them."""

    url: str
    db_url: str
    db: Database
    data_dir: Path
    port: int
    workers: int
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """The environment the servers and CLI commands run with."""
        return {
            **os.environ,
            "COMMONPOT_DATABASE_URL": self.db_url,
            "COMMONPOT_SECRET_KEY": SECRET,
            "COMMONPOT_DATA_DIR": str(self.data_dir),
            "COMMONPOT_EVENT_BUS": "memory",
        }

    @property
    def settings(self) -> Settings:
        """Settings matching the servers' (same ledger key), for setting up data in-process."""
        return Settings(database_url=self.db_url, secret_key=SECRET, data_dir=self.data_dir)

    def start(self) -> subprocess.Popen[bytes]:
        """Start one `commonpot serve` (with its workers) and wait until /healthz answers."""
        log = (self.data_dir / f"server-{len(self.procs)}.log").open("ab")
        proc = subprocess.Popen(
            [
                COMMONPOT,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            cwd=self.data_dir,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group: stopped as one, nothing leaks
        )
        log.close()  # the child has its own copy
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        """The servers' stderr so far (for failure messages)."""
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.data_dir.glob("server-*.log")))

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Signal a server's whole process group (supervisor and workers) and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)

    def stop_all(self) -> None:
        """Stop every server this object started."""
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc)  # nothing to save: the database is dropped next
        self.procs.clear()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a `commonpot` command against the same database."""
        return subprocess.run(
            [COMMONPOT, *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def verify_ledger(self, slug: str) -> str:
        """`commonpot ledger verify SLUG` must succeed; returns its output."""
        done = self.cli("ledger", "verify", slug)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith("ok:"), done.stdout
        return done.stdout


def make_servers(tmp: Path, prefix: str, workers: int) -> Servers:
    """A migrated database and (not yet started) servers on it."""
    db_url = create_pg_database(prefix)
    migrate.upgrade(db_url)
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    return Servers(
        url=f"http://127.0.0.1:{port}",
        db_url=db_url,
        db=open_database(db_url),
        data_dir=tmp,
        port=port,
        workers=workers,
    )


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """`commonpot serve --workers 2` on a fresh PostgreSQL database, for this module."""
    running = make_servers(tmp_path_factory.mktemp("race"), "commonpot_race", workers=2)
    try:
        running.start()
        yield running
    finally:
        running.stop_all()
        running.db.dispose()
        drop_pg_database(running.db_url)


@dataclass
class Crowd:
    """A community with a steward and many members, each with an API token."""

    slug: str
    steward: User
    steward_headers: dict[str, str]
    members: list[User]
    headers: list[dict[str, str]]


def token_headers(session: object, user: User) -> dict[str, str]:
    """An Authorization header with a fresh API token."""
    _, secret = accounts.create_api_token(session, user, "race")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {secret}"}


def make_crowd(db: Database, members: int, slug: str) -> Crowd:
    """A public community with `members` members (and their tokens), in one transaction."""
    with db.unit_of_work() as s:
        steward = make_user(s, "Steward")
        community = make_community(s, steward, slug=slug)
        people = [make_user(s, f"Member {slug} {i}") for i in range(members)]
        for person in people:
            communities.add_member(s, community, person, "member")
        return Crowd(
            slug=slug,
            steward=steward,
            steward_headers=token_headers(s, steward),
            members=people,
            headers=[token_headers(s, p) for p in people],
        )


def community(session: object, slug: str) -> Community:
    """The community with this slug."""
    from sqlalchemy import select

    found = session.scalar(select(Community).where(Community.slug == slug))  # type: ignore[attr-defined]
    assert found is not None
    return found  # type: ignore[no-any-return]


Call = Callable[[httpx.Client], httpx.Response]


def fire(url: str, calls: Sequence[Call], clients: int | None = None) -> list[httpx.Response]:
    """Run every call at once (threads released together) and return the responses in order."""
    width = clients or len(calls)
    barrier = threading.Barrier(min(width, len(calls)))
    limits = httpx.Limits(max_connections=width, max_keepalive_connections=width)

    with httpx.Client(base_url=url, timeout=120, limits=limits) as client:

        def run(call: Call) -> httpx.Response:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            return call(client)

        with ThreadPoolExecutor(max_workers=width) as pool:
            return list(pool.map(run, calls))


def statuses(responses: Sequence[httpx.Response]) -> dict[int, int]:
    """How many responses had each status."""
    found: dict[int, int] = {}
    for response in responses:
        found[response.status_code] = found.get(response.status_code, 0) + 1
    return found


def no_server_errors(responses: Sequence[httpx.Response]) -> None:
    """Fail with the first 5xx body if any request failed on the server's side."""
    bad = [r for r in responses if r.status_code >= 500]
    assert not bad, f"{len(bad)} server errors, e.g. {bad[0].status_code} {bad[0].text[:300]}"

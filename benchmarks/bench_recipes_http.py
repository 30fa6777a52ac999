"""Recipe JSON and HTML pages through a real server and a real HTTP client, under load.

    .venv/bin/python benchmarks/bench_recipes_http.py [--quick] [--connections 8,32]
        [--seconds 10] [--rounds 5] [--client httpx|wrk] [--workers 1]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Starts `commonpot serve` (one uvicorn process: httptools on the asyncio loop) on a
fresh database holding the demo communities, and beside it, in the same run, the baseline:
a bare FastAPI app answering `{"hello": "world"}`, served the same way (uvicorn with
`commonpot.cli_app.server_options`, as `commonpot serve` runs it: the same loop, parser,
proxy headers and access log; `--no-access-log` turns the log off for both; `--workers N`
runs both with N processes, and CPU then counts them all). For each endpoint
and each number of concurrent connections, httpx clients (one connection each) loop for S
seconds in all, in R rounds in which the endpoints take turns (so that a shared machine whose
speed drifts slows the baseline as much as the app); printed: requests/s, p50 and p99 latency
over every request, the server process's CPU per request (utime + stime from /proc, so the
clients' own CPU is not counted), and its ratio to the baseline's: the median of the rounds'
ratios, each taken within one round, and their range. Goals (issue 18): recipe JSON <= 4x
hello world CPU and p99 < 50 ms at 32 connections; recipe HTML <= 10x hello world CPU.

The recipe JSON is read twice: as someone not signed in (on PostgreSQL, an answer all such
readers share, given again while the database is unchanged: `commonpot.shared_answers`),
and signed in, with an API token of a riverside member (read afresh each time).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from commonpot import demo, migrate
from commonpot.accounts.models import User
from commonpot.accounts.service import create_api_token
from commonpot.cli_app import server_options
from commonpot.communities.models import Community, Membership
from commonpot.recipes.models import Recipe
from commonpot.wiring import open_database

COMMONPOT = str(Path(sys.executable).with_name("commonpot"))
HELLO = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
"""
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU so far of a process and every process under it (a server's workers;
    Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / TICKS
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue
        total += sum(cpu_seconds(int(child)) for child in children)
    return total


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            httpx.get(url, timeout=1.0)
        except httpx.HTTPError:
            time.sleep(0.1)
        else:
            return
    raise SystemExit(f"server at {url} did not start")


async def load(
    url: str, connections: int, seconds: float, headers: dict[str, str]
) -> tuple[int, list[float], int]:
    """Requests done, their latencies (s) and errors, C connections looping for S seconds."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=30.0) as http:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    answer = await http.get(url, headers=headers)
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += not ok

    await asyncio.gather(*(client() for _ in range(connections)))
    return len(latencies), latencies, errors


def measure(
    url: str,
    pid: int,
    connections: int,
    seconds: float,
    headers: dict[str, str],
    *,
    warm_up: bool = True,
) -> dict[str, Any]:
    if warm_up:
        asyncio.run(load(url, connections, min(2.0, seconds), headers))
    before = cpu_seconds(pid)
    start = time.perf_counter()
    done, latencies, errors = asyncio.run(load(url, connections, seconds, headers))
    wall = time.perf_counter() - start
    used = cpu_seconds(pid) - before
    return {
        "done": done,
        "wall": wall,
        "latencies": latencies,
        "cpu_us": used / max(done, 1) * 1e6,
        "errors": errors,
    }


def measure_wrk(
    url: str, pid: int, connections: int, seconds: float, headers: dict[str, str]
) -> dict[str, Any]:
    """The same with wrk, a load generator in C (two threads; one for an odd number of
    connections, which wrk would share out unevenly, dropping one): at 32 connections on a
    small machine, the Python clients' own event loop delays what they time, even hello
    world's."""
    before = cpu_seconds(pid)
    start = time.perf_counter()
    done = subprocess.run(
        [
            "wrk",
            f"-t{2 if connections % 2 == 0 else 1}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            *(f"-H{name}: {value}" for name, value in headers.items()),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall = time.perf_counter() - start
    used = cpu_seconds(pid) - before
    count = int(re.search(r"(\d+) requests in", done).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", done))
    quantiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", done, re.MULTILINE))
    return {
        "done": count,
        "wall": wall,
        "latencies": [],
        "p50": _wrk_seconds(quantiles["50"]),
        "p99": _wrk_seconds(quantiles["99"]),
        "cpu_us": used / max(count, 1) * 1e6,
        "errors": errors,
    }


def _wrk_seconds(text: str) -> float:
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * units[unit]


def combined(rounds: list[dict[str, Any]]) -> dict[str, float]:
    """One case's rounds together: throughput, latency percentiles over every request, and
    CPU per request over all of them."""
    done = sum(r["done"] for r in rounds)
    latencies = sorted(x for r in rounds for x in r["latencies"])
    if latencies:
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    else:  # wrk: its own percentiles per round (the median and the worst of the rounds')
        p50 = statistics.median(r["p50"] for r in rounds)
        p99 = max(r["p99"] for r in rounds)
    return {
        "rps": done / sum(r["wall"] for r in rounds),
        "p50": p50 * 1000,
        "p99": p99 * 1000,
        "cpu_us": sum(r["cpu_us"] * r["done"] for r in rounds) / max(done, 1),
        "errors": sum(r["errors"] for r in rounds),
    }


def stack() -> str:
    """The event loop and HTTP parser both servers run with (`server_options`)."""
    options = server_options("127.0.0.1", 0)
    loop, parser = options["loop"], options["http"]
    if parser == "auto":
        try:
            __import__("httptools")
        except ImportError:
            parser = "h11"
        else:
            parser = "httptools"
    return f"{loop}+{parser}"


def database_url(pg: str | None, folder: Path) -> tuple[str, str | None]:
    if not pg:
        return f"sqlite:///{folder / 'bench.db'}", None
    name = f"bench_http_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(pg).set(database=name).render_as_string(hide_password=False), name


def drop(pg: str, name: str) -> None:
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str, folder: Path) -> tuple[int | None, str, dict[str, str]]:
    """Migrate and load the demo into `url`, write the hello app into `folder`; the pozole's
    id, an API token of one of riverside's members, and the environment both servers run
    with."""
    migrate.upgrade(url)
    db = open_database(url)
    with db.unit_of_work() as session:
        demo.load(session)
        recipe_id = session.scalar(
            select(Recipe.id).where(Recipe.name == "Pozole rojo de la abuela Carmen")
        )
        member = session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Community, Community.id == Membership.community_id)
            .where(Community.slug == "riverside")
            .order_by(User.id)
        ).first()
        assert member is not None
        _, token = create_api_token(session, member, "bench")
    db.dispose()
    (folder / "hello_app.py").write_text(HELLO)
    env = {
        **os.environ,
        "COMMONPOT_DATABASE_URL": url,
        "COMMONPOT_DATA_DIR": str(folder / "var"),
        "COMMONPOT_SECRET_KEY": "h" * 40,
        "COMMONPOT_JOBS_EMBEDDED": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.getenv("PYTHONPATH")])),
    }
    return recipe_id, token, env


@dataclass(frozen=True)
class Served:
    """The two servers of a run: the app on the demo database, and hello world."""

    base: str  # the app's address
    pid: int
    hello: str  # hello world's URL
    hello_pid: int
    recipe_id: int  # "Pozole rojo de la abuela Carmen", riverside
    token: str  # an API token of a riverside member


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every HTTP benchmark here takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="10 s per case, 8 and 32 conns")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=10.0, help="per case, all rounds")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the cases take (ratios per round)"
    )
    parser.add_argument(
        "--client",
        choices=["httpx", "wrk"],
        default="httpx",
        help="the load generator: Python httpx clients, or wrk (C; `apt install wrk`)",
    )
    parser.add_argument("--pg", default=None, help="PostgreSQL server URL (default SQLite)")
    parser.add_argument(
        "--no-access-log", action="store_true", help="both servers without the access log"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes, for both servers (serve --workers)",
    )
    return parser


@contextmanager
def served(args: argparse.Namespace, seed: Callable[[str], None] | None = None) -> Iterator[Served]:
    """`commonpot serve` on a fresh demo database and hello world beside it, served the
    same way; both stopped (and a PostgreSQL database dropped) afterwards. `seed(url)`, when
    given, adds to the demo before the servers start."""
    folder = Path(tempfile.mkdtemp(prefix="cp-http-"))
    url, pg_name = database_url(args.pg, folder)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        recipe_id, token, env = prepare(url, folder)
        if seed is not None:
            seed(url)
        app_port, hello_port = free_port(), free_port()
        base = f"http://127.0.0.1:{app_port}"
        # its public address configured, as a deployed instance has it (federation needs it)
        served_env = {**env, "COMMONPOT_BASE_URL": base}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "env": served_env}
        log = "--no-access-log" if args.no_access_log else "--access-log"
        server = subprocess.Popen(
            [
                *(COMMONPOT, "serve", "--host", "127.0.0.1", "--port", str(app_port), log),
                *("--workers", str(args.workers)),
            ],
            **quiet,
        )
        options = server_options(
            "127.0.0.1", hello_port, workers=args.workers, access_log=not args.no_access_log
        )
        run_hello = f"import uvicorn; uvicorn.run('hello_app:app', **{options!r})"
        hello = subprocess.Popen([sys.executable, "-c", run_hello], **quiet)
        servers += [server, hello]
        hello_url = f"http://127.0.0.1:{hello_port}/hello"
        wait_up(f"{base}/healthz", server)
        wait_up(hello_url, hello)
        print(
            f"database: {'PostgreSQL' if pg_name else 'SQLite'}; {stack()}; access log "
            f"{'off' if args.no_access_log else 'on'}; client {args.client}; "
            f"{args.workers} server process(es) each"
        )
        yield Served(base, server.pid, hello_url, hello.pid, recipe_id, token)
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=10)
        if args.pg and pg_name:
            drop(args.pg, pg_name)


# (name, URL, the serving process, request headers); the first case is the baseline
Case = tuple[str, str, int, dict[str, str]]


def table(cases: list[Case], args: argparse.Namespace) -> None:
    """Each case under load at each number of connections, beside the baseline (the first
    case): requests/s, p50 and p99, the server's CPU per request and its ratio to the
    baseline's."""
    seconds = 10.0 if args.quick else args.seconds
    counts = [8, 32] if args.quick else [int(c) for c in args.connections.split(",")]
    print(f"{seconds:.0f} s per case in {args.rounds} rounds")
    header = f"{'endpoint':28} {'conns':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
    print(header + f" {'CPU us/req':>10} {'x hello':>8} {'(rounds)':>11} {'errors':>6}")
    for connections in counts:
        # the cases take turns, a slice each per round, so that a machine whose speed
        # drifts (a shared host) slows the baseline and the app alike: each ratio is
        # taken within one round, and the median of the rounds' ratios is printed
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name, *_ in cases}
        for turn in range(args.rounds):
            for name, target, pid, headers in cases:
                if args.client == "wrk":
                    if turn == 0:
                        measure_wrk(target, pid, connections, 2.0, headers)  # warm up
                    got = measure_wrk(target, pid, connections, seconds / args.rounds, headers)
                else:
                    got = measure(
                        target,
                        pid,
                        connections,
                        seconds / args.rounds,
                        headers,
                        warm_up=turn == 0,
                    )
                rounds[name].append(got)
        hello_rounds = rounds[cases[0][0]]
        for name, *_ in cases:
            got = combined(rounds[name])
            ratios = sorted(
                r["cpu_us"] / h["cpu_us"] for r, h in zip(rounds[name], hello_rounds, strict=True)
            )
            spread = f"{ratios[0]:.2f}-{ratios[-1]:.2f}"
            print(
                f"{name[:28]:28} {connections:>5} {got['rps']:>7.0f} {got['p50']:>7.1f} "
                f"{got['p99']:>7.1f} {got['cpu_us']:>10.0f} "
                f"{statistics.median(ratios):>8.2f} {spread:>11} {int(got['errors']):>6}",
                flush=True,
            )


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    with served(args) as up:
        recipe_json = f"{up.base}/api/communities/riverside/recipes/{up.recipe_id}"
        signed_in = {"Authorization": f"Bearer {up.token}"}
        page = f"{up.base}/communities/riverside/recipes/{up.recipe_id}"
        cases: list[Case] = [
            ("hello world (bare FastAPI)", up.hello, up.hello_pid, {}),
            ("recipe JSON", recipe_json, up.pid, {}),
            ("recipe JSON, signed in", recipe_json, up.pid, signed_in),
            ("recipe HTML page", page, up.pid, {}),
        ]
        table(cases, args)
        print("goals: recipe JSON <= 4x hello CPU, p99 < 50 ms at 32; HTML <= 10x hello CPU")


if __name__ == "__main__":
    main()

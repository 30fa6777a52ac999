"""Where a served request's CPU goes: cProfile inside a real uvicorn process, under HTTP load.

    .venv/bin/python benchmarks/profile_recipes_http.py [json|json-signed-in|html|hello]
        [--seconds 10] [--connections 8] [--top 40] [--path /any/path [--accept TYPE]]
        [--signed-in] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--city N]

Builds the demo database as bench_recipes_http.py does, then runs uvicorn (the app, or the
bare hello-world baseline) in a child process whose every thread is profiled with per-thread
CPU time (`time.thread_time`, so threads waiting for the GIL or a lock cost nothing), from
when the server is up until the load ends. Prints the functions by own time and by
cumulative time; compare with the HTTP figures of bench_recipes_http.py (profiling slows
Python code several times over, so read shares, not microseconds; ignore the lock
`acquire` line, idle worker threads waiting for work).
"""

from __future__ import annotations

import argparse
import asyncio
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_public_reads_http import city
from bench_recipes_http import database_url, drop, free_port, load, prepare, wait_up

# The child: profile every worker thread from its start and the event loop's thread from
# SIGUSR1 on (when the warm-up is forgotten), write the stats on SIGUSR2.
CHILD = """
import cProfile, pstats, signal, sys, threading, time
import uvicorn
from commonpot.cli_app import server_options

out, port, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
profiles = []
main = cProfile.Profile(time.thread_time)

def thread_start(frame, event, arg):
    sys.setprofile(None)
    profile = cProfile.Profile(time.thread_time)
    profiles.append(profile)
    profile.enable()

def start(*_):
    for profile in profiles:
        profile.clear()
    main.enable()

def stop(*_):
    main.disable()
    stats = pstats.Stats(main)
    for profile in profiles:
        profile.disable()
        try:
            stats.add(profile)
        except TypeError:  # a thread that ran nothing since the warm-up: no stats to add
            pass
    stats.dump_stats(out)

signal.signal(signal.SIGUSR1, start)
signal.signal(signal.SIGUSR2, stop)
threading.setprofile(thread_start)  # worker threads; the event loop's from SIGUSR1
uvicorn.run(target, factory=target.endswith("create_app"),
            **server_options("127.0.0.1", port, access_log=False))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "which", choices=["json", "json-signed-in", "html", "hello"], nargs="?", default="json"
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--path", default=None, help="profile this path instead (e.g. /federation/riverside/outbox)"
    )
    parser.add_argument("--accept", default=None, help="the Accept header to send with --path")
    parser.add_argument("--pg", default=None, help="a PostgreSQL server (a database is made)")
    parser.add_argument(
        "--signed-in", action="store_true", help="with --path: as a riverside member (token)"
    )
    parser.add_argument(
        "--city", type=int, default=0, help="first add N offers, needs, members and proposals"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cp-profile-"))
    url, made = database_url(args.pg, folder)
    recipe_id, token, env = prepare(url, folder)
    if args.city:
        city(url, args.city)
    port = free_port()
    out = folder / "profile.out"
    target = "hello_app:app" if args.which == "hello" else "commonpot.app:create_app"
    command = [sys.executable, "-c", CHILD, str(out), str(port), target]
    child = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    paths = {
        "json": f"/api/communities/riverside/recipes/{recipe_id}",
        "json-signed-in": f"/api/communities/riverside/recipes/{recipe_id}",
        "html": f"/communities/riverside/recipes/{recipe_id}",
        "hello": "/hello",
    }
    headers = {"Authorization": f"Bearer {token}"} if args.which == "json-signed-in" else {}
    if args.path:
        paths[args.which] = args.path
        headers = {"Accept": args.accept} if args.accept else {}
        if args.signed_in:
            headers["Authorization"] = f"Bearer {token}"
    try:
        wait_up(base + ("/hello" if args.which == "hello" else "/healthz"), child)
        asyncio.run(load(base + paths[args.which], args.connections, 2.0, headers))  # warm up
        child.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
        loaded = load(base + paths[args.which], args.connections, args.seconds, headers)
        done, _, errors = asyncio.run(loaded)
        child.send_signal(signal.SIGUSR2)
        for _ in range(100):
            if out.exists():
                break
            time.sleep(0.1)
        time.sleep(1.0)  # let the dump finish
    finally:
        child.terminate()
        child.wait(timeout=10)
        if args.pg and made:
            drop(args.pg, made)
    print(f"{args.which}: {done} requests ({errors} errors) with {args.connections} connections")
    stats = pstats.Stats(str(out))
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top * 2)


if __name__ == "__main__":
    main()

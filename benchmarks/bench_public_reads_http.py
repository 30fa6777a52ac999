"""The reads anyone may make of a public community, through a real server under load.

    .venv/bin/python benchmarks/bench_public_reads_http.py [--quick] [--connections 8,32]
        [--seconds 10] [--rounds 5] [--client httpx|wrk] [--workers 1] [--only NAME,...]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--city N]

What people and other servers wait on besides a recipe (bench_recipes_http.py): the
community as JSON and its home page, its recipe, event and proposal lists, the calendar
feed calendar apps poll, the ledger checkpoint auditors fetch, and the ActivityPub actor and
outbox that every following server reads, and the pages people open most besides a recipe
(the recipe list, events, governance with a proposal and the ledger, the sharing network).
Each is read by someone not signed in (and the pages again by a member of riverside), on the
demo database, beside the same bare FastAPI hello world (served the same way, same rounds)
as bench_recipes_http.py, which this reuses; printed the same way: requests/s, p50/p99 and
the server's CPU per request against hello world's. Every case is checked to answer 200 with
a body before it is timed.

`--city N` adds N open offers and N open needs to riverside first (the uniform-square
generator of the allocation benchmarks): the sharing page as a city's network fills it; and
N members and N decided proposals: the governance page of a city's group after years.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import select
from tests.factories.platform import big_governance, big_network

from bench_recipes_http import Case, Served, arguments, served, table
from commonpot.communities.models import Community
from commonpot.wiring import open_database

ACTIVITY = {"Accept": "application/activity+json"}


def cases(up: Served) -> list[Case]:
    """The public reads, riverside's, after the hello-world baseline."""
    api = f"{up.base}/api/communities/riverside"
    page = f"{up.base}/communities/riverside"
    member = {"Authorization": f"Bearer {up.token}"}
    return [
        ("hello world (bare FastAPI)", up.hello, up.hello_pid, {}),
        ("community JSON", api, up.pid, {}),
        ("recipe list JSON", f"{api}/recipes", up.pid, {}),
        ("event list JSON", f"{api}/events", up.pid, {}),
        ("events.ics (calendar feed)", f"{up.base}/communities/riverside/events.ics", up.pid, {}),
        ("proposal list JSON", f"{api}/proposals", up.pid, {}),
        ("ledger checkpoint JSON", f"{api}/ledger/checkpoint", up.pid, {}),
        ("ActivityPub actor", f"{up.base}/federation/riverside", up.pid, ACTIVITY),
        ("ActivityPub outbox", f"{up.base}/federation/riverside/outbox", up.pid, ACTIVITY),
        ("community home page", f"{up.base}/communities/riverside", up.pid, {}),
        ("recipe list page", f"{page}/recipes", up.pid, {}),
        ("events page", f"{page}/events", up.pid, {}),
        ("governance page", f"{page}/governance", up.pid, {}),
        ("proposal page", f"{page}/governance/proposals/1", up.pid, {}),
        ("ledger page", f"{page}/governance/ledger", up.pid, {}),
        ("sharing network page", f"{page}/network", up.pid, {}),
        # the same pages as one of riverside's members reads them (never shared: each read
        # and rendered for them)
        ("community home page (member)", page, up.pid, member),
        ("recipe page (member)", f"{page}/recipes/{up.recipe_id}", up.pid, member),
        ("recipe list page (member)", f"{page}/recipes", up.pid, member),
        ("events page (member)", f"{page}/events", up.pid, member),
        ("governance page (member)", f"{page}/governance", up.pid, member),
        ("proposal page (member)", f"{page}/governance/proposals/1", up.pid, member),
        ("ledger page (member)", f"{page}/governance/ledger", up.pid, member),
        ("sharing network page (member)", f"{page}/network", up.pid, member),
    ]


def city(url: str, n: int) -> None:
    """Riverside as a city's group: n open offers, n open needs, n more members and n
    decided proposals."""
    db = open_database(url)
    with db.unit_of_work() as session:
        riverside = session.scalars(select(Community.id).where(Community.slug == "riverside"))
        community_id = riverside.one()
    big_network(db, community_id, None, n)
    big_governance(db, community_id, n)
    db.dispose()
    print(f"riverside: {n:,} open offers, as many open needs, members and decided proposals added")


def main() -> None:
    parser: argparse.ArgumentParser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated case names (and hello)")
    parser.add_argument(
        "--city", type=int, default=0, help="N open offers and N open needs in riverside"
    )
    args = parser.parse_args()

    with served(args, (lambda url: city(url, args.city)) if args.city > 0 else None) as up:
        chosen = cases(up)
        if args.only:
            wanted = {name.strip() for name in args.only.split(",")}
            chosen = [chosen[0], *(c for c in chosen[1:] if c[0] in wanted)]
        for name, url, _, headers in chosen:
            answer = httpx.get(url, headers=headers, timeout=30.0)
            if answer.status_code != 200 or not answer.content:
                raise SystemExit(f"{name}: {url} answered {answer.status_code}")
        table(chosen, args)
        print("issue 18's goal for JSON answers: <= 4x hello world's CPU; pages <= 10x")


if __name__ == "__main__":
    main()

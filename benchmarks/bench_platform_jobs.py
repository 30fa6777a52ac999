"""Background jobs and notification fan-out, each beside a baseline in the same run.

1. Job throughput: K no-op commonpot jobs (a job row, a claim, a done mark, each in its
   own transaction) through SqliteHuey (the embedded default) and RedisHuey, beside K
   bare huey no-op tasks on the same queue (the baseline: huey alone).
2. Notification fan-out: one "proposal opened" notice to every member of a 10,000-member
   community (the preferences lookup and the inbox rows), beside a bare bulk INSERT of
   the same rows; and e-mail to a share of them through a local SMTP server (aiosmtpd).

Run: .venv/bin/python benchmarks/bench_platform_jobs.py [--quick] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, select, text
from tests.factories.platform import smtp_server

from commonpot import jobs, migrate
from commonpot.accounts.models import User
from commonpot.bus import MemoryBus
from commonpot.communities.models import Community, Membership
from commonpot.db import Database, utcnow
from commonpot.notifications.models import Notification, NotificationPreference
from commonpot.settings import Settings
from commonpot.wiring import open_database, start_jobs


def noop(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """A job that does nothing (what remains is the jobs machinery)."""


def job_throughput(settings: Settings, db: Database, count: int) -> tuple[float, float]:
    """(commonpot jobs/s, bare huey tasks/s) on the settings' queue, one consumer thread."""
    runtime = start_jobs(settings, db, MemoryBus())
    jobs.REGISTRY.register(jobs.JobSpec("bench.noop", noop))
    runtime.huey.flush()
    bare = runtime.huey.task(name="bench.bare")(lambda: None)
    t0 = time.perf_counter()
    for _ in range(count):
        bare()
    runtime.drain(limit=count + 10)
    bare_rate = count / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(count):
        with db.unit_of_work() as s:
            jobs.enqueue(s, "bench.noop", {"i": i}, max_attempts=1)
    runtime.drain(limit=count + 10)
    ours = count / (time.perf_counter() - t0)
    with db.unit_of_work(write=False) as s:
        done = s.scalar(text("SELECT count(*) FROM jobs WHERE state = 'done'"))
    assert done is not None, done
    assert done >= count, done
    runtime.huey.flush()
    return ours, bare_rate


def community_of(db: Database, members: int) -> int:
    """A community with `members` members (bulk inserted); its id."""
    with db.unit_of_work() as s:
        tag = uuid.uuid4().hex[:8]
        community = Community(slug=f"bench-{tag}", name="Bench")
        s.add(community)
        s.flush()
        users = [
            {
                "email": f"p{i}.{tag}@example.org",
                "display_name": f"Person {i}",
                "password_hash": "x",
                "locale": "es" if i % 3 == 0 else "en",
            }
            for i in range(members)
        ]
        ids = list(s.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), users))
        s.execute(insert(Membership), [{"community_id": community.id, "user_id": u} for u in ids])
        # a tenth of them want e-mail for this kind
        s.execute(
            insert(NotificationPreference),
            [{"user_id": u, "kind": "proposal_opened", "channel": "email"} for u in ids[::10]],
        )
        return community.id


def fan_out(db: Database, settings: Settings, community_id: int) -> tuple[float, float, float, int]:
    """(fan-out s, bare insert s, e-mail s, e-mails) for one notice to every member."""
    runtime = start_jobs(settings, db, MemoryBus())
    runtime.huey.flush()
    notice = {
        "kind": "proposal_opened",
        "audience": ["members", community_id],
        "params": {"community": "Bench", "number": 1, "title": "Plant a walnut grove"},
        "url": "/communities/bench/governance/proposals/1",
    }
    with db.unit_of_work() as s:
        job_id = jobs.enqueue(
            s, "notifications.deliver", {"community_id": community_id, "notices": [notice]}
        ).id
    t0 = time.perf_counter()
    runtime.run(job_id)
    fan = time.perf_counter() - t0
    with db.unit_of_work(write=False) as s:
        made = s.scalar(
            select(text("count(*)"))
            .select_from(Notification)
            .where(Notification.community_id == community_id)
        )
        members = list(
            s.scalars(select(Membership.user_id).where(Membership.community_id == community_id))
        )
    assert made == len(members), (made, len(members))
    rows = [
        {"user_id": u, "community_id": community_id, "kind": "bench", "params": notice["params"],
         "url": notice["url"], "created_at": utcnow(), "channel": "inapp"}
        for u in members
    ]  # fmt: skip
    t0 = time.perf_counter()
    with db.unit_of_work() as s:
        s.execute(insert(Notification), rows)
    bare = time.perf_counter() - t0
    with db.unit_of_work() as s:
        s.execute(delete(Notification).where(Notification.kind == "bench"))
    t0 = time.perf_counter()
    sent = runtime.drain()  # the e-mail jobs the fan-out queued
    mail = time.perf_counter() - t0
    return fan, bare, mail, sent


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer jobs and members")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    count = 200 if args.quick else 2000
    members = 2000 if args.quick else 10000
    folder = Path(tempfile.mkdtemp(prefix="bench-platform-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    db = open_database(url)
    base = Settings(database_url=url, data_dir=folder, secret_key="b" * 40)
    print(f"database: {url.split(':')[0]}, {count} jobs, {members} members")
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    for backend in ("sqlite", "redis"):
        settings = base.model_copy(
            update={"jobs_backend": backend, "jobs_queue": queue, "redis_url": args.redis_url}
        )
        try:
            ours, bare = job_throughput(settings, open_database(url), count)
        except Exception as exc:
            print(f"jobs/{backend}: skipped ({type(exc).__name__}: {exc})")
            continue
        print(
            f"jobs/{backend}: commonpot {ours:8.1f} jobs/s   bare huey {bare:8.1f} tasks/s   "
            f"ratio {bare / ours:5.1f}x (row + claim + done, each its own transaction)"
        )
    with smtp_server() as (smtp_url, inbox):
        settings = base.model_copy(
            update={"jobs_backend": "memory", "jobs_queue": queue, "smtp_url": smtp_url}
        )
        community_id = community_of(db, members)
        fan, bare, mail, batches = fan_out(open_database(url), settings, community_id)
        print(
            f"fan-out to {members} members: {fan * 1000:8.0f} ms   bare bulk insert "
            f"{bare * 1000:6.0f} ms   ratio {fan / bare:5.1f}x"
        )
        print(
            f"e-mail to {len(inbox.messages)} of them ({batches} queue tasks, real SMTP): "
            f"{mail * 1000:8.0f} ms   {len(inbox.messages) / mail:6.0f} mails/s"
        )
    db.dispose()


if __name__ == "__main__":
    main()

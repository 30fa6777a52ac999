"""`commonpot ledger verify COMMUNITY`, the whole command, against the SHA-256 floor.

Builds an N-entry ledger in a fresh SQLite database (entries as `ledger.append` writes them:
canonical JSON vote entries, leaf hashes, one signed checkpoint), then times the command a
steward would run, as a fresh process, beside the floor measured in this run: SHA-256 of
every leaf and every node of the same tree over the same bytes, already in memory (what no
verifier can go below). Goal: <= 2x the floor. Also prints the command's peak RSS (measured
by /usr/bin/time when present: a child's own high-water mark would include this process's
memory, shared until the child executes the command).

    .venv/bin/python benchmarks/bench_governance_verify_cli.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from commonpot import migrate
from commonpot.accounts.service import OPERATOR, create_user
from commonpot.communities.models import Community
from commonpot.communities.service import create_community
from commonpot.db import utcnow
from commonpot.governance import ledger
from commonpot.governance.canonical import canonical_text
from commonpot.governance.models import LedgerEntry
from commonpot.settings import Settings
from commonpot.wiring import open_database

COMMONPOT = str(Path(sys.executable).parent / "commonpot")
# GNU time prints the command's own peak RSS (KiB) as the last line of stderr
TIME = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []


def build(url: str, settings: Settings, n: int) -> None:
    """A community whose ledger holds n entries and a signed checkpoint."""
    db = open_database(url)
    with db.unit_of_work() as s:
        steward = create_user(
            s, email="s@example.org", display_name="Steward", password="correct horse battery"
        )
        community = create_community(s, OPERATOR, slug="bench", name="Bench", steward=steward)
        start = ledger.size(s, community)
        cid = community.id
    at = utcnow()
    stamp = at.isoformat(timespec="seconds").replace("+00:00", "Z")
    batch: list[dict[str, object]] = []
    with db.unit_of_work() as s:
        for seq in range(start, n):
            data = canonical_text(
                {
                    "at": stamp,
                    "choice": ["yes", "no", "abstain"][seq % 3],
                    "community": "bench",
                    "member": 1 + seq % 5000,
                    "proposal": 1 + seq // 1000,
                    "seq": seq,
                    "type": "vote.cast",
                }
            )
            digest = hashlib.sha256(b"\x00" + data.encode()).hexdigest()
            batch.append(
                {
                    "community_id": cid,
                    "seq": seq,
                    "data": data,
                    "leaf_hash": digest,
                    "created_at": at,
                }
            )
            if len(batch) == 20_000:
                s.execute(insert(LedgerEntry), batch)
                batch.clear()
        if batch:
            s.execute(insert(LedgerEntry), batch)
    with db.unit_of_work() as s:
        community = s.scalars(select(Community).where(Community.id == cid)).one()
        ledger.rebuild_nodes(s, community)  # what append (or migration 0020) stores
        ledger.seal(s, community, settings)
    db.dispose()


def floor(url: str) -> float:
    """SHA-256 of every leaf and node of the same tree, from bytes already in memory."""
    db = open_database(url)
    with db.unit_of_work(write=False) as s:
        data = [d.encode() for d in s.scalars(select(LedgerEntry.data).order_by(LedgerEntry.seq))]
    db.dispose()
    sha = hashlib.sha256
    start = time.perf_counter()
    level = [sha(b"\x00" + d).digest() for d in data]
    while len(level) > 1:
        parents = [
            sha(b"\x01" + a + b).digest() for a, b in zip(level[0::2], level[1::2], strict=False)
        ]
        if len(level) % 2:
            parents.append(level[-1])
        level = parents
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k entries instead of 1M")
    n = 100_000 if parser.parse_args().quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        settings = Settings(database_url=url, data_dir=Path(tmp) / "var", secret_key="k" * 40)
        migrate.upgrade(url)
        started = time.perf_counter()
        build(url, settings, n)
        print(f"built a {n:,}-entry ledger in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "COMMONPOT_DATABASE_URL": url, "COMMONPOT_DATA_DIR": f"{tmp}/var"}
        runs, cpu, rss = [], [], []
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [*TIME, COMMONPOT, "ledger", "verify", "bench"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            runs.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                raise SystemExit(f"verify failed: {done.stdout}{done.stderr}")
            if TIME:
                rss.append(int(done.stderr.strip().splitlines()[-1]) / 1024)  # KiB
        base = min(floor(url) for _ in range(3))
        best = min(runs)
        print(f"{'measure':44} {'seconds':>9} {'x floor':>8}")
        print(f"{'SHA-256 floor (leaves + nodes, in memory)':44} {base:9.2f} {1.0:8.2f}")
        print(f"{'commonpot ledger verify (whole command)':44} {best:9.2f} {best / base:8.2f}")
        spent = min(cpu)
        print(f"{'  the same, CPU seconds of the process':44} {spent:9.2f} {spent / base:8.2f}")
        if rss:
            print(f"{'  peak RSS of the process (MiB)':44} {max(rss):9.0f}")


if __name__ == "__main__":
    main()

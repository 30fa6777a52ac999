"""Federation costs: delivery throughput and inbox verification, each beside a baseline.

1. Delivery: a public community with 1,000 followers behind 100 shared inboxes (local
   receivers on 127.0.0.1 answering 202). New recipes are queued by the session hook and
   `federation.deliver` fans each out once per shared inbox, signs (draft-cavage-12) and
   POSTs. Reported: activities/s and signed POSTs/s; baseline: the same POSTs unsigned and
   without the database, over the same pooled client and worker threads.
2. Inbox verification per request: cavage-12 and RFC 9421 verification with a cached key,
   and a whole signed POST through the app (parse, block check, key cache, verify, store,
   queue an Accept), beside a bare RSA-2048 PKCS#1 v1.5 verify.

    .venv/bin/python benchmarks/bench_federation.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

from commonpot import migrate  # noqa: E402
from commonpot.accounts.service import OPERATOR  # noqa: E402
from commonpot.app import create_app  # noqa: E402
from commonpot.communities.service import create_community  # noqa: E402
from commonpot.db import utcnow  # noqa: E402
from commonpot.federation import delivery, instance, sharing  # noqa: E402
from commonpot.federation.ap import CLIENT_KEY, LIMITER_KEY  # noqa: E402
from commonpot.federation.client import Client  # noqa: E402
from commonpot.federation.limits import InboxLimiter  # noqa: E402
from commonpot.federation.models import Follower  # noqa: E402
from commonpot.federation.signatures import (  # noqa: E402
    new_private_key,
    public_pem,
    sign_cavage,
    sign_rfc9421,
    verify_cavage,
    verify_rfc9421,
)
from commonpot.recipes import RecipeIn, SectionIn, create_recipe  # noqa: E402
from commonpot.settings import Settings  # noqa: E402
from commonpot.wiring import open_database  # noqa: E402

INBOXES, FOLLOWERS = 100, 1000


async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare inbox: read the body, answer 202."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 202, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: Any, port: int) -> uvicorn.Server:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server


def bench_delivery(folder: Path, activities: int) -> None:
    """Activities/s to 1,000 followers across 100 shared inboxes, and the unsigned baseline."""
    port = _port()
    server = _serve(receiver, port)
    url = f"sqlite:///{folder / 'deliver.db'}"
    migrate.upgrade(url)
    db = open_database(url)
    settings = Settings(
        database_url=url, data_dir=folder, base_url="http://127.0.0.1:1", federation_allow_http=True
    )
    fed = instance.context(settings, Client(allow_http=True))
    with db.unit_of_work() as s:
        community = create_community(s, OPERATOR, slug="bench", name="Bench", visibility="public")
        for n in range(FOLLOWERS):
            box = n % INBOXES
            s.add(
                Follower(
                    community_id=community.id,
                    actor_id=f"http://127.0.0.1:{port}/users/{n}",
                    inbox=f"http://127.0.0.1:{port}/users/{n}/inbox",
                    shared_inbox=f"http://127.0.0.1:{port}/inbox/{box}",
                    domain="127.0.0.1",
                )
            )
    with db.unit_of_work() as s:  # warm-up pass: keys, connections
        delivery.deliver(s, fed)
    with db.unit_of_work() as s:
        community = sharing.public_community(s, "bench")
        for n in range(activities):
            data = RecipeIn(
                name=f"Recipe {n}",
                description="Benchmark recipe.",
                ingredients=["1 cup flour", "1 egg"],
                sections=[SectionIn(steps=["Mix.", "Bake."])],
            )
            create_recipe(s, community, OPERATOR, data)
    start = time.perf_counter()
    sent = 0
    while True:
        with db.unit_of_work() as s:
            report = delivery.deliver(s, fed)
        sent += report.delivered
        if report.delivered == 0 and report.fanned_out == 0:
            break
    took = time.perf_counter() - start
    assert sent == activities * INBOXES, (sent, activities)
    # baseline: the same number of POSTs, same client and threads, no signing, no database
    body = json.dumps({"type": "Create", "object": {"name": "x" * 600}}).encode()
    targets = [f"http://127.0.0.1:{port}/inbox/{n % INBOXES}" for n in range(sent)]
    client = Client(allow_http=True)
    headers = {"content-type": "application/activity+json"}
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=delivery.WORKERS) as pool:
        list(pool.map(lambda t: client.post(t, body, headers), targets))
    base = time.perf_counter() - start
    client.close()
    fed.client.close()
    server.should_exit = True
    db.dispose()
    print(f"delivery: {activities} activities x {INBOXES} shared inboxes ({FOLLOWERS} followers)")
    rate = f"{activities / took:8.1f} activities/s  {sent / took:8.0f} POSTs/s"
    print(f"  commonpot deliver        {rate}")
    print(f"  baseline unsigned POSTs  {'':>21}{sent / base:8.0f} POSTs/s")
    print(f"  ratio                    {took / base:8.2f}x the baseline's time")


def _median_us(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def bench_verify(folder: Path, runs: int) -> None:
    """Per-request verification cost with a cached key, and a whole inbox POST."""
    key = new_private_key()
    pem = public_pem(key)
    public = key.public_key()
    body = json.dumps({"type": "Follow", "actor": "http://remote.test/u", "object": "x"}).encode()
    target = "http://b.test/federation/beta/inbox"
    now = utcnow()
    cavage = sign_cavage("POST", target, body, "http://remote.test/u#main-key", key, now)
    rfc = sign_rfc9421("POST", target, body, "http://remote.test/u#main-key", key)
    message = b"x" * 200
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    bare = _median_us(
        lambda: public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256()), runs
    )
    cav = _median_us(
        lambda: verify_cavage("POST", "/federation/beta/inbox", cavage, body, pem, now), runs
    )
    r9421 = _median_us(
        lambda: verify_rfc9421("POST", target, rfc, body, "http://remote.test/u#main-key", pem),
        runs,
    )
    whole = _inbox_post(folder, key, max(runs // 10, 20))
    print("inbox verification per request (median, cached key):")
    print(f"  bare RSA-2048 verify (baseline)  {bare:9.0f} us")
    print(f"  cavage-12 verify                 {cav:9.0f} us  ({cav / bare:.1f}x)")
    print(f"  RFC 9421 verify                  {r9421:9.0f} us  ({r9421 / bare:.1f}x)")
    print(f"  whole signed POST to the inbox   {whole:9.0f} us  ({whole / bare:.1f}x)")


def _inbox_post(folder: Path, key: Any, runs: int) -> float:
    url = f"sqlite:///{folder / 'inbox.db'}"
    migrate.upgrade(url)
    settings = Settings(
        database_url=url,
        secret_key="bench-" + "x" * 32,
        data_dir=folder,
        base_url="http://b.test",
        federation_allow_http=True,
    )
    actor = {
        "id": "http://remote.test/u",
        "type": "Person",
        "inbox": "http://remote.test/u/inbox",
        "publicKey": {
            "id": "http://remote.test/u#main-key",
            "owner": "http://remote.test/u",
            "publicKeyPem": public_pem(key),
        },
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=actor))
    app = create_app(settings)
    app.state.extensions[CLIENT_KEY] = Client(allow_http=True, transport=transport)
    # the cost of verification is measured here, not the rate limit (one actor sends them all)
    app.state.extensions[LIMITER_KEY] = InboxLimiter(per_instance=10**9, per_actor=10**9)
    with app.state.db.unit_of_work() as s:
        create_community(s, OPERATOR, slug="beta", name="Beta", visibility="public")
    from fastapi.testclient import TestClient

    http = TestClient(app, base_url="http://b.test")
    times = []
    for n in range(runs):
        body = json.dumps(
            {
                "type": "Follow",
                "id": f"http://remote.test/f/{n}",
                "actor": "http://remote.test/u",
                "object": "http://b.test/federation/beta",
            }
        ).encode()
        headers = {"content-type": "application/activity+json"}
        headers.update(
            sign_cavage(
                "POST",
                "http://b.test/federation/beta/inbox",
                body,
                "http://remote.test/u#main-key",
                key,
                utcnow(),
            )
        )
        start = time.perf_counter()
        answer = http.post("/federation/beta/inbox", content=body, headers=headers)
        times.append(time.perf_counter() - start)
        assert answer.status_code == 202, answer.text
    app.state.db.dispose()
    return statistics.median(times[1:]) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 activities, fewer runs")
    quick = parser.parse_args().quick
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_verify(folder, 200 if quick else 2000)
        bench_delivery(folder, 5 if quick else 30)


if __name__ == "__main__":
    main()

"""Inbox signatures: cavage-12 and RFC 9421 accepted; anything wrong is 401, nothing stored."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from commonpot.accounts.service import OPERATOR
from commonpot.db import utcnow
from commonpot.federation import blocks
from commonpot.federation.ap import LIMITER_KEY
from commonpot.federation.limits import InboxLimiter
from commonpot.federation.models import Activity, Follower, RemoteActor
from commonpot.federation.signatures import public_pem, sign_cavage, sign_rfc9421
from tests.factories.accounts import make_community, make_user
from tests.factories.federation import FakeActor, Instance, Router, key_pool, solo

__all__ = ["solo"]
INBOX = "http://b.test/federation/beta/inbox"


@pytest.fixture
def remote(solo: tuple[Instance, Router]) -> tuple[Instance, FakeActor, FakeActor]:
    b, router = solo
    with b.db.unit_of_work() as s:
        make_community(s, make_user(s, "B steward"), slug="beta")
    alice = FakeActor("remote.test", "alice")
    mallory = FakeActor("evil.test", "mallory", key_index=7)
    router.handlers["remote.test"] = alice.serve
    router.handlers["evil.test"] = mallory.serve
    return b, alice, mallory


def _follow(actor: FakeActor) -> bytes:
    doc = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.id + "#follows/1",
        "type": "Follow",
        "actor": actor.id,
        "object": "http://b.test/federation/beta",
    }
    return json.dumps(doc).encode()


def _post(b: Instance, body: bytes, headers: dict[str, str]) -> int:
    headers = {"content-type": "application/activity+json", **headers}
    return b.http.post("/federation/beta/inbox", content=body, headers=headers).status_code


def _nothing_stored(b: Instance) -> None:
    assert b.count(Follower) == 0
    assert b.count(Activity, Activity.verb == "Accept") == 0


def test_valid_cavage_follow_is_accepted(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    headers = sign_cavage("POST", INBOX, body, alice.key_id, alice.key, utcnow())
    assert _post(b, body, headers) == 202
    assert b.count(Follower, Follower.actor_id == alice.id) == 1
    with b.db.unit_of_work(write=False) as s:
        accept = s.query(Activity).filter(Activity.verb == "Accept").one()
        assert accept.document is not None
        assert accept.document["object"]["id"] == alice.id + "#follows/1"
        assert accept.target_inbox == alice.id + "/inbox"
    report = b.deliver()
    assert report.delivered == 1
    assert alice.received[0]["type"] == "Accept"


def test_valid_rfc9421_follow_is_accepted(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    headers = sign_rfc9421("POST", INBOX, body, alice.key_id, alice.key)
    assert "signature-input" in headers and "content-digest" in headers
    assert _post(b, body, headers) == 202
    assert b.count(Follower) == 1


def test_shared_inbox_accepts_too(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    url = "http://b.test/federation/inbox"
    headers = {"content-type": "application/activity+json"}
    headers.update(sign_cavage("POST", url, body, alice.key_id, alice.key, utcnow()))
    assert b.http.post("/federation/inbox", content=body, headers=headers).status_code == 202
    assert b.count(Follower) == 1


def test_wrong_key(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    headers = sign_cavage("POST", INBOX, body, alice.key_id, key_pool()[4], utcnow())
    assert _post(b, body, headers) == 401
    _nothing_stored(b)


def test_changed_body(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    headers = sign_cavage("POST", INBOX, body, alice.key_id, alice.key, utcnow())
    assert _post(b, body.replace(b"follows/1", b"follows/2"), headers) == 401
    headers = sign_rfc9421("POST", INBOX, body, alice.key_id, alice.key)
    assert _post(b, body.replace(b"follows/1", b"follows/2"), headers) == 401
    _nothing_stored(b)


def test_old_date(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    headers = sign_cavage(
        "POST", INBOX, body, alice.key_id, alice.key, utcnow() - timedelta(hours=13)
    )
    assert _post(b, body, headers) == 401
    _nothing_stored(b)


def test_missing_digest(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    headers = sign_cavage("POST", INBOX, None, alice.key_id, alice.key, utcnow())
    assert "digest" not in headers
    assert _post(b, body, headers) == 401
    _nothing_stored(b)


def test_key_owner_is_not_the_actor(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, mallory = remote
    body = _follow(alice)  # claims to be alice, signed by mallory's own valid key
    headers = sign_cavage("POST", INBOX, body, mallory.key_id, mallory.key, utcnow())
    assert _post(b, body, headers) == 401
    _nothing_stored(b)


def test_unsigned(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    assert _post(b, _follow(alice), {}) == 401
    _nothing_stored(b)


def test_rotated_key_is_refetched_once(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = _follow(alice)
    assert (
        _post(b, body, sign_cavage("POST", INBOX, body, alice.key_id, alice.key, utcnow())) == 202
    )
    alice.key = key_pool()[5]
    alice.document["publicKey"]["publicKeyPem"] = public_pem(alice.key)
    undo = json.dumps(
        {"type": "Undo", "actor": alice.id, "id": alice.id + "#undo/1", "object": json.loads(body)}
    ).encode()
    assert (
        _post(b, undo, sign_cavage("POST", INBOX, undo, alice.key_id, alice.key, utcnow())) == 202
    )
    assert b.count(Follower) == 0
    with b.db.unit_of_work(write=False) as s:
        cached = s.query(RemoteActor).one()
        assert cached.public_key_pem == public_pem(alice.key)


def test_blocked_domain_is_403(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    with b.db.unit_of_work() as s:
        blocks.block_domain(s, OPERATOR, "remote.test")
    body = _follow(alice)
    headers = sign_cavage("POST", INBOX, body, alice.key_id, alice.key, utcnow())
    assert _post(b, body, headers) == 403
    _nothing_stored(b)


def test_oversized_body_is_413(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    body = b'{"type":"Follow","actor":"x","pad":"' + b"x" * 300_000 + b'"}'
    headers = sign_cavage("POST", INBOX, body, alice.key_id, alice.key, utcnow())
    assert _post(b, body, headers) == 413
    _nothing_stored(b)


def test_too_many_from_one_server_is_429(remote: tuple[Instance, FakeActor, FakeActor]) -> None:
    b, alice, _ = remote
    b.app.state.extensions[LIMITER_KEY] = InboxLimiter(per_instance=2, per_actor=10)
    body = _follow(alice)
    codes = [
        _post(b, body, sign_cavage("POST", INBOX, body, alice.key_id, alice.key, utcnow()))
        for _ in range(2)
    ]
    assert codes == [202, 202]
    headers = {
        "content-type": "application/activity+json",
        **sign_cavage("POST", INBOX, body, alice.key_id, alice.key, utcnow()),
    }
    answer = b.http.post("/federation/beta/inbox", content=body, headers=headers)
    assert answer.status_code == 429
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 429 and "remote.test" in answer.json()["detail"]
    assert 0 < int(answer.headers["retry-after"]) <= 60
    assert b.count(Follower) == 1


def test_one_noisy_actor_is_limited_alone(
    remote: tuple[Instance, FakeActor, FakeActor], solo: tuple[Instance, Router]
) -> None:
    b, alice, _ = remote
    _b, router = solo
    bob = FakeActor("remote.test", "bob", key_index=5)
    serve_alice = router.handlers["remote.test"]

    def serve(request: httpx.Request) -> httpx.Response:
        if "/users/bob" in str(request.url):
            return bob.serve(request)
        return serve_alice(request)

    router.handlers["remote.test"] = serve
    b.app.state.extensions[LIMITER_KEY] = InboxLimiter(per_instance=10, per_actor=1)
    for actor, expected in ((alice, 202), (alice, 429), (bob, 202)):
        body = _follow(actor)
        signed = sign_cavage("POST", INBOX, body, actor.key_id, actor.key, utcnow())
        assert _post(b, body, signed) == expected
    assert b.count(Follower) == 2

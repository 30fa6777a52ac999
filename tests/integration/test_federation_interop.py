"""Interop: the JSON Mastodon and Mobilizon send and serve, parsed and answered correctly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from commonpot.accounts.service import OPERATOR
from commonpot.db import utcnow
from commonpot.federation import service, sharing
from commonpot.federation.models import Follower, Following, RemoteItem
from commonpot.federation.signatures import public_pem, sign_cavage, sign_rfc9421
from tests.factories.accounts import make_community, make_user
from tests.factories.federation import Instance, Router, key_pool, solo

__all__ = ["solo"]
DATA = Path(__file__).parent.parent / "data" / "federation"


def _load(name: str, **replace: str) -> dict[str, Any]:
    text = (DATA / name).read_text()
    for key, value in replace.items():
        text = text.replace(key, value)
    doc: dict[str, Any] = json.loads(text)
    return doc


class Server:
    """A fake remote server answering with the fixture documents and recording POSTs."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self.posts: list[tuple[str, dict[str, str], dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url).split("#", 1)[0]
        if request.method == "POST":
            self.posts.append((url, dict(request.headers), json.loads(request.content)))
            return httpx.Response(202)
        path = url.split("?", 1)[0]
        if path in self.documents:
            return httpx.Response(200, json=self.documents[path])
        return httpx.Response(404)


def _beta(b: Instance) -> None:
    with b.db.unit_of_work() as s:
        make_community(s, make_user(s, "B steward"), slug="beta")


def _mastodon(router: Router) -> tuple[Server, Any]:
    key = key_pool()[6]
    actor = _load("mastodon_actor.json", **{"REPLACED-BY-THE-TEST": ""})
    actor["publicKey"]["publicKeyPem"] = public_pem(key)
    server = Server(
        {
            "https://mastodon.example/.well-known/webfinger": _load("mastodon_webfinger.json"),
            "https://mastodon.example/users/alice": actor,
        }
    )
    router.handlers["mastodon.example"] = server
    return server, key


def _post(
    b: Instance, path: str, doc: dict[str, Any], key_id: str, key: Any, rfc: bool = False
) -> int:
    body = json.dumps(doc).encode()
    url = f"http://b.test{path}"
    headers = {"content-type": "application/activity+json"}
    if rfc:
        headers.update(sign_rfc9421("POST", url, body, key_id, key))
    else:
        headers.update(sign_cavage("POST", url, body, key_id, key, utcnow()))
    return b.http.post(path, content=body, headers=headers).status_code


def test_mastodon_follow_is_accepted_and_answered(solo: tuple[Instance, Router]) -> None:
    b, router = solo
    _beta(b)
    server, key = _mastodon(router)
    follow = _load("mastodon_follow.json", **{"TARGET-ACTOR": "http://b.test/federation/beta"})
    key_id = "https://mastodon.example/users/alice#main-key"
    assert _post(b, "/federation/inbox", follow, key_id, key) == 202
    with b.db.unit_of_work(write=False) as s:
        row = s.scalars(select(Follower)).one()
        assert row.shared_inbox == "https://mastodon.example/inbox"
        assert row.domain == "mastodon.example"
    assert b.deliver().delivered == 1
    url, headers, accept = server.posts[0]
    assert url == "https://mastodon.example/users/alice/inbox"
    assert accept["type"] == "Accept" and accept["object"]["id"] == follow["id"]
    assert accept["actor"] == "http://b.test/federation/beta"
    signature = headers["signature"]
    assert 'algorithm="rsa-sha256"' in signature
    assert 'headers="(request-target) host date digest"' in signature
    assert headers["digest"].startswith("SHA-256=")


def test_following_a_mastodon_account_by_handle(solo: tuple[Instance, Router]) -> None:
    b, router = solo
    _beta(b)
    server, _key = _mastodon(router)
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        row = service.follow(s, b.fed, beta, OPERATOR, "@alice@mastodon.example")
        assert row.actor_id == "https://mastodon.example/users/alice"
        assert row.state == "pending"
    b.deliver()
    url, _headers, sent = server.posts[0]
    assert url == "https://mastodon.example/users/alice/inbox"
    assert sent["type"] == "Follow"
    assert sent["object"] == "https://mastodon.example/users/alice"


def test_mastodon_reply_note_is_ignored(solo: tuple[Instance, Router]) -> None:
    b, router = solo
    _beta(b)
    _server, key = _mastodon(router)
    reply = _load(
        "mastodon_reply.json", **{"REPLY-TARGET": "http://b.test/federation/beta/recipes/1"}
    )
    key_id = "https://mastodon.example/users/alice#main-key"
    answer = b.http.post(
        "/federation/inbox",
        content=json.dumps(reply).encode(),
        headers={"content-type": "application/activity+json"}
        | sign_cavage(
            "POST",
            "http://b.test/federation/inbox",
            json.dumps(reply).encode(),
            key_id,
            key,
            utcnow(),
        ),
    )
    assert answer.status_code == 202 and answer.json() == {"status": "ignored"}
    assert b.count(RemoteItem) == 0


def test_mobilizon_group_event_is_kept_sanitised(solo: tuple[Instance, Router]) -> None:
    b, router = solo
    _beta(b)
    key = key_pool()[7]
    group = _load("mobilizon_group.json")
    group["publicKey"]["publicKeyPem"] = public_pem(key)
    webfinger = {
        "subject": "acct:gardeners@mobilizon.example",
        "links": [{"rel": "self", "type": "application/activity+json", "href": group["id"]}],
    }
    router.handlers["mobilizon.example"] = Server(
        {
            "https://mobilizon.example/.well-known/webfinger": webfinger,
            "https://mobilizon.example/@gardeners": group,
        }
    )
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        follow_id = service.follow(
            s, b.fed, beta, OPERATOR, "@gardeners@mobilizon.example"
        ).follow_id
    key_id = group["publicKey"]["id"]
    accept = {
        "type": "Accept",
        "id": "https://mobilizon.example/accept/follow/1",
        "actor": group["id"],
        "object": follow_id,
    }
    assert _post(b, "/federation/beta/inbox", accept, key_id, key, rfc=True) == 202
    with b.db.unit_of_work(write=False) as s:
        assert s.scalars(select(Following.state)).one() == "accepted"
    create = _load("mobilizon_create_event.json")
    create["object"]["content"] += '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert _post(b, "/federation/inbox", create, key_id, key) == 202
    with b.db.unit_of_work(write=False) as s:
        item = s.scalars(select(RemoteItem)).one()
        assert item.kind == "event"
        assert item.name == "Seed swap & soup"
        assert item.location == "Jardin partagé des Lilas"
        assert item.starts_at is not None and item.starts_at.isoformat().startswith(
            "2026-12-12T10:00"
        )
        assert "<strong>Soup</strong>" in item.content
        assert "script" not in item.content and "onerror" not in item.content
        assert item.origin_name == "Community gardeners"
    page = b.http.get("/communities/beta/federation")
    assert page.status_code == 200
    assert "Seed swap &amp; soup" in page.text and "mobilizon.example" in page.text

"""A signed-in request inside a community reads who is asking, the community and their
membership in one statement (`communities.access.signed_in_scope`), by the same rules as
`identify` followed by `community_and_membership`: every answer here is compared with the
one the two separate reads give (`app.state.signed_in_scope = None`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from commonpot.accounts.models import ApiToken, User, UserSession
from commonpot.db import Database, utcnow
from commonpot.http import SESSION_COOKIE
from tests.factories.accounts import World, bearer, csrf_headers, make_world, sign_in


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL the app sends while the block runs (its request engine's)."""
    seen: list[str] = []
    engine = app.state.db.engine

    def note(*args: Any) -> None:
        seen.append(str(args[2]).lower())

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def both_ways(app: FastAPI, ask: Callable[[], Any]) -> tuple[Any, Any]:
    """`ask()` through the one statement, then through the two separate reads."""
    wired = app.state.signed_in_scope
    fused = ask()
    app.state.signed_in_scope = None
    try:
        apart = ask()
    finally:
        app.state.signed_in_scope = wired
    return fused, apart


def answer(client: TestClient, url: str, headers: dict[str, str] | None = None) -> Any:
    response = client.get(url, headers=headers or {})
    body = response.json()
    return response.status_code, body


def test_a_signed_in_request_asks_who_and_where_in_one_statement(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    world = make_world(db)
    auth = bearer(db, world.private_member)
    url = "/api/communities/privatehill/members"
    with statements(app) as fused:
        assert client.get(url, headers=auth).status_code == 200
    app.state.signed_in_scope = None
    with statements(app) as apart:
        assert client.get(url, headers=auth).status_code == 200
    asking = [sql for sql in fused if "api_tokens" in sql]
    assert len(asking) == 1
    assert "communities" in asking[0] and "memberships" in asking[0]
    # the two reads it replaces: the token, then the community with the membership
    assert len([sql for sql in apart if "api_tokens" in sql]) == 1
    assert len(fused) == len(apart) - 1


def _revoke(db: Database) -> None:
    with db.unit_of_work() as s:
        s.execute(update(ApiToken).values(revoked_at=utcnow()))


def _deactivate(user: User) -> Callable[[Database], None]:
    def run(db: Database) -> None:
        with db.unit_of_work() as s:
            s.execute(update(User).where(User.id == user.id).values(is_active=False))

    return run


def _expire_sessions(db: Database) -> None:
    with db.unit_of_work() as s:
        s.execute(update(UserSession).values(expires_at=utcnow() - timedelta(minutes=1)))


# (who signs in, how, what happens to them first, the path, the status expected)
CASES: list[tuple[str, str, Callable[[Database], None] | str | None, str, int]] = [
    ("private_member", "token", None, "/api/communities/privatehill", 200),
    ("private_member", "token", None, "/api/communities/privatehill/members", 200),
    ("outsider", "token", None, "/api/communities/privatehill", 404),
    ("outsider", "token", None, "/api/communities/privatehill/members", 404),
    ("admin", "token", None, "/api/communities/privatehill", 200),
    ("member", "token", None, "/api/communities/nowhere", 404),
    ("member", "token", None, "/api/communities/publicville/members", 200),
    ("outsider", "token", None, "/api/communities/publicville/members", 403),
    ("member", "token", _revoke, "/api/communities/publicville", 401),
    ("member", "token", "deactivate", "/api/communities/publicville/members", 401),
    ("private_member", "cookie", None, "/api/communities/privatehill/members", 200),
    ("private_member", "cookie", _expire_sessions, "/api/communities/privatehill", 404),
    ("member", "cookie", _expire_sessions, "/api/communities/publicville", 200),
    ("member", "cookie", _expire_sessions, "/api/communities/publicville/members", 401),
    ("member", "cookie", "deactivate", "/api/communities/publicville/members", 401),
]


@pytest.mark.parametrize(("who", "how", "first", "path", "status"), CASES)
def test_the_one_statement_answers_as_the_two_reads_do(
    app: FastAPI,
    client: TestClient,
    db: Database,
    who: str,
    how: str,
    first: Callable[[Database], None] | str | None,
    path: str,
    status: int,
) -> None:
    world: World = make_world(db)
    user: User = getattr(world, who)
    headers: dict[str, str] = {}
    if how == "token":
        headers = bearer(db, user)
    else:
        sign_in(client, db, user)
    if first == "deactivate":
        _deactivate(user)(db)
    elif callable(first):
        first(db)
    fused, apart = both_ways(app, lambda: answer(client, path, headers))
    assert fused == apart
    assert fused[0] == status
    if status >= 400:
        assert {"type", "title", "status"} <= set(fused[1])


def test_a_cookie_write_in_a_community_still_needs_its_csrf_header(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    world = make_world(db)
    sign_in(client, db, world.steward)
    url = "/api/communities/publicville/places"
    place = {"name": "Orchard gate", "kind": "garden", "lat": 52.1, "lon": 5.1}
    refused = client.post(url, json=place)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    assert [p["name"] for p in client.get(url).json()].count("Orchard gate") == 0
    made = client.post(url, json=place, headers=csrf_headers())
    assert made.status_code == 201, made.text
    assert [p["name"] for p in client.get(url).json()].count("Orchard gate") == 1
    assert client.cookies.get(SESSION_COOKIE)

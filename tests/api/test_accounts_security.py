"""Sign-in hardening: throttled by client, CSRF rotated, API tokens end with the password."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.models import ApiToken, User
from commonpot.db import Database
from commonpot.http import CSRF_COOKIE
from tests.factories.accounts import PASSWORD, bearer, browser, form, make_user, make_world, sign_in

NEW_PASSWORD = "a much better passphrase 2027"


def _from(client: TestClient, host: str) -> TestClient:
    return TestClient(client.app, client=(host, 40000))


def _token_login(client: TestClient, email: str, password: str) -> int:
    response = client.post("/api/auth/token", json={"email": email, "password": password})
    return response.status_code


def test_a_stranger_cannot_lock_someone_out(client: TestClient, db: Database) -> None:
    world = make_world(db)
    stranger = _from(client, "203.0.113.9")
    for _ in range(12):
        assert _token_login(stranger, world.member.email, "guessing wrong") in (401, 429)
    # the hammering client is held back, even with the right password...
    held = stranger.post(
        "/api/auth/token", json={"email": world.member.email, "password": PASSWORD}
    )
    assert held.status_code == 429
    assert held.headers["content-type"].startswith("application/problem+json")
    # ...but the person, from their own client, still gets in
    assert _token_login(_from(client, "198.51.100.7"), world.member.email, PASSWORD) == 201


def test_a_client_hammering_many_accounts_is_throttled(client: TestClient, db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        emails = [make_user(s, f"target{i}").email for i in range(21)]
    sprayer = _from(client, "203.0.113.50")
    codes = [_token_login(sprayer, email, "Summer2027!") for email in emails]
    assert codes[:20] == [401] * 20
    assert codes[20] == 429
    assert _token_login(sprayer, world.steward.email, PASSWORD) == 429
    assert _token_login(_from(client, "198.51.100.8"), world.steward.email, PASSWORD) == 201


def test_sign_in_form_says_to_wait(client: TestClient, db: Database) -> None:
    world = make_world(db)
    browser(client)
    for _ in range(5):
        data = form({"email": world.member.email, "password": "wrong one"})
        assert client.post("/login", data=data).status_code == 401
    held = client.post("/login", data=form({"email": world.member.email, "password": PASSWORD}))
    assert held.status_code == 429
    assert "Wait" in held.text


def test_csrf_token_is_rotated_at_sign_in(client: TestClient, db: Database) -> None:
    world = make_world(db)
    page = client.get("/login")
    before = client.cookies.get(CSRF_COOKIE)
    assert before and before in page.text
    signed = client.post(
        "/login",
        data={"csrf_token": before, "email": world.member.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    after = client.cookies.get(CSRF_COOKIE)
    assert after and after != before
    assert after in client.get("/me").text
    # the token known before sign-in is refused for the signed-in session
    old = client.post("/me", data={"csrf_token": before, "display_name": "Hijacked"})
    assert old.status_code == 403
    with db.unit_of_work(write=False) as s:
        assert s.get(User, world.member.id).display_name != "Hijacked"  # type: ignore[union-attr]
    fresh = client.post("/me", data={"csrf_token": after, "display_name": "Renamed"})
    assert fresh.status_code != 403


def test_password_change_revokes_api_tokens(client: TestClient, db: Database) -> None:
    world = make_world(db)
    script = bearer(db, world.member)
    other = bearer(db, world.member)
    assert client.get("/api/me", headers=script).status_code == 200
    changed = client.post(
        "/api/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=other,
    )
    assert changed.status_code == 204
    for headers in (script, other):
        assert client.get("/api/me", headers=headers).status_code == 401
    with db.unit_of_work(write=False) as s:
        tokens = s.scalars(select(ApiToken).where(ApiToken.user_id == world.member.id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)
    assert _token_login(client, world.member.email, NEW_PASSWORD) == 201


def test_password_change_on_the_web_revokes_api_tokens(client: TestClient, db: Database) -> None:
    world = make_world(db)
    script = bearer(db, world.member)
    sign_in(client, db, world.member)
    changed = client.post(
        "/me/password",
        data=form({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        follow_redirects=False,
    )
    assert changed.status_code == 303
    rotated = [c for c in changed.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE)]
    assert len(rotated) == 1
    assert "test-csrf-token" not in rotated[0]
    assert client.get("/api/me", headers=script).status_code == 401

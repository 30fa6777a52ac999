"""The foundation's HTML pages: sign-in, profile, tokens, places; errors in plain words."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.models import ApiToken, User
from commonpot.communities.models import Place
from commonpot.db import Database
from commonpot.http import SESSION_COOKIE
from tests.factories.accounts import PASSWORD, browser, form, make_world, sign_in


def test_sign_in_sets_safe_cookie_and_wrong_password_says_so(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    browser(client)
    wrong = client.post("/login", data=form({"email": world.member.email, "password": "nope nope"}))
    assert wrong.status_code == 401
    assert "E-mail or password is wrong" in wrong.text
    ok = client.post(
        "/login",
        data=form({"email": world.member.email, "password": PASSWORD, "next": "/me"}),
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/me"
    cookie = next(h for h in ok.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http in tests; https adds it
    assert world.member.display_name in client.get("/me").text


def test_open_redirect_is_refused(client: TestClient, db: Database) -> None:
    world = make_world(db)
    browser(client)
    response = client.post(
        "/login",
        data=form({"email": world.member.email, "password": PASSWORD, "next": "//evil.example"}),
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_profile_bad_input_keeps_old_values(client: TestClient, db: Database) -> None:
    world = make_world(db)
    sign_in(client, db, world.member)
    response = client.post("/me", data=form({"display_name": "", "languages": "en"}))
    assert response.status_code == 422
    assert "name of 1 to 120 characters" in response.text
    response = client.post(
        "/me", data=form({"display_name": "New Name", "birth_year": "1850", "languages": "en"})
    )
    assert response.status_code == 422
    with db.unit_of_work(write=False) as s:
        user = s.get(User, world.member.id)
        assert user is not None and user.display_name == "Member" and user.birth_year == 2003


def test_token_page_shows_secret_once(client: TestClient, db: Database) -> None:
    world = make_world(db)
    sign_in(client, db, world.member)
    page = client.post("/me/tokens", data=form({"name": "harvest logger"}))
    assert page.status_code == 200
    assert 'id="new-token"' in page.text
    with db.unit_of_work(write=False) as s:
        token = s.scalar(select(ApiToken).where(ApiToken.user_id == world.member.id))
        assert token is not None and token.prefix in page.text
    again = client.get("/me")
    assert 'id="new-token"' not in again.text and "harvest logger" in again.text


def test_add_place_form_errors_and_success(client: TestClient, db: Database) -> None:
    world = make_world(db)
    sign_in(client, db, world.member)
    bad = client.post(
        "/communities/publicville/places", data=form({"name": "Well", "lat": "", "lon": ""})
    )
    assert bad.status_code == 422
    assert "Click the map" in bad.text and 'value="Well"' in bad.text
    good = client.post(
        "/communities/publicville/places",
        data=form({"name": "Well", "kind": "site", "lat": "51.5", "lon": "-2.6"}),
        follow_redirects=False,
    )
    assert good.status_code == 303
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Place.name).where(Place.name == "Well")) == "Well"


def test_public_community_page_readable_anonymously(client: TestClient, db: Database) -> None:
    make_world(db)
    page = client.get("/communities/publicville")
    assert page.status_code == 200
    assert "Public Kitchen" in page.text
    assert '<main id="main"' in page.text and 'lang="en"' in page.text
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Check the address" in missing.text


def test_pages_follow_the_readers_language(client: TestClient, db: Database) -> None:
    make_world(db)
    spanish = client.get(
        "/communities/publicville/places", headers={"Accept-Language": "es-ES,es;q=0.9"}
    )
    assert 'lang="es"' in spanish.text
    assert "Lugares de" in spanish.text and "Saltar al contenido" in spanish.text
    english = client.get("/communities/publicville/places", headers={"Accept-Language": "en"})
    assert "Places of" in english.text and "Lugares de" not in english.text


def test_admin_starts_a_community_and_steward_edits_it(client: TestClient, db: Database) -> None:
    world = make_world(db)
    sign_in(client, db, world.member)
    assert client.get("/communities-new").status_code == 403
    sign_in(client, db, world.admin)
    bad = client.post("/communities-new", data=form({"name": "Orchard", "slug": "Bad Slug!"}))
    assert bad.status_code == 422 and "slug" in bad.text.lower()
    made = client.post(
        "/communities-new",
        data=form({"name": "Orchard Commons", "slug": "orchard", "visibility": "private"}),
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"] == "/communities/orchard"
    sign_in(client, db, world.steward)
    saved = client.post(
        "/communities/publicville/settings",
        data=form({"name": "Publicville Renamed", "visibility": "public", "lat": "91", "lon": "0"}),
    )
    assert saved.status_code == 422
    saved = client.post(
        "/communities/publicville/settings",
        data=form({"name": "Publicville Renamed", "visibility": "public", "lat": "", "lon": ""}),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Publicville Renamed" in client.get("/communities/publicville").text
    sign_in(client, db, world.member)
    assert client.get("/communities/publicville/settings").status_code == 403

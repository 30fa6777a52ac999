"""The language switcher: a cookie for visitors, saved on the account for people who sign in."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.http import CSRF_COOKIE
from commonpot.templating import LANGUAGE_COOKIE
from tests.factories.accounts import PASSWORD, browser, form, make_world

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}


def _stored(db: Database, email: str) -> tuple[str, bool]:
    with db.unit_of_work(write=False) as s:
        user = s.scalars(select(User).where(User.email == email)).one()
        return user.locale, user.locale_chosen


def _sign_in(client: TestClient, email: str) -> None:
    done = client.post(
        "/login",
        data=form({"email": email, "password": PASSWORD, "next": "/"}),
        headers=ENGLISH,
        follow_redirects=False,
    )
    assert done.status_code == 303
    # a new session rotates the CSRF cookie: take the one `form()` matches again
    client.cookies.delete(CSRF_COOKIE)
    client.cookies.set(CSRF_COOKIE, "test-csrf-token")


def test_accept_language_is_the_default(client: TestClient, db: Database) -> None:
    make_world(db)
    page = client.get("/", headers=SPANISH)
    assert '<html lang="es">' in page.text and "Cambiar idioma" in page.text
    assert 'id="language-switcher"' in page.text
    # the words scripts write into pages (chart labels, live notices) come translated
    block = re.search(r'<script type="application/json" id="ui-texts">(.*?)</script>', page.text)
    assert block is not None
    texts = json.loads(block.group(1))
    assert texts["Round"] == "Ronda" and texts["number of crops"] == "número de cultivos"
    english = client.get("/", headers=ENGLISH)
    assert '<html lang="en">' in english.text and "Change language" in english.text


def test_choosing_spanish_persists_across_requests_and_sign_in(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    browser(client)
    chosen = client.post(
        "/language",
        data=form({"language": "es", "next": "/communities/publicville/places"}),
        headers=ENGLISH,
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/communities/publicville/places"
    assert client.cookies.get(LANGUAGE_COOKIE) == "es"
    # the browser still asks for English, the choice wins; the flash is read in Spanish
    page = client.get("/communities/publicville/places", headers=ENGLISH)
    assert '<html lang="es">' in page.text and "Lugares de" in page.text
    assert "Idioma cambiado." in page.text
    assert "Lugares de" in client.get("/communities/publicville/places", headers=ENGLISH).text

    # signing in keeps it, and saves it on the account
    assert _stored(db, world.member.email) == ("en", False)
    _sign_in(client, world.member.email)
    home = client.get("/", headers=ENGLISH)
    assert '<html lang="es">' in home.text and "Cerrar sesión" in home.text
    assert _stored(db, world.member.email) == ("es", True)

    # another browser, no cookie, English headers: once signed in, the person's choice applies
    client.cookies.clear()
    browser(client)
    assert '<html lang="en">' in client.get("/", headers=ENGLISH).text
    _sign_in(client, world.member.email)
    assert '<html lang="es">' in client.get("/", headers=ENGLISH).text


def test_a_signed_in_choice_overrides_the_browser(client: TestClient, db: Database) -> None:
    world = make_world(db)
    browser(client)
    _sign_in(client, world.member.email)
    assert '<html lang="es">' in client.get("/", headers=SPANISH).text  # not chosen yet
    client.post("/language", data=form({"language": "en", "next": "/"}), headers=SPANISH)
    assert _stored(db, world.member.email) == ("en", True)
    client.cookies.delete(LANGUAGE_COOKIE)
    page = client.get("/", headers=SPANISH)
    assert '<html lang="en">' in page.text and "Sign out" in page.text


def test_an_unknown_language_is_refused(client: TestClient, db: Database) -> None:
    world = make_world(db)
    browser(client)
    _sign_in(client, world.member.email)
    refused = client.post(
        "/language",
        data=form({"language": "xx", "next": "/"}),
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["field"] == "language"
    assert _stored(db, world.member.email) == ("en", False)
    assert client.cookies.get(LANGUAGE_COOKIE) is None
    # an outside address as `next` is not followed
    away = client.post(
        "/language",
        data=form({"language": "es", "next": "https://evil.example/"}),
        follow_redirects=False,
    )
    assert away.headers["location"] == "/"


def test_without_a_choice_e_mails_follow_the_browser(client: TestClient, db: Database) -> None:
    world = make_world(db)
    browser(client)
    signed = client.post(
        "/login",
        data=form({"email": world.member.email, "password": PASSWORD, "next": "/"}),
        headers=SPANISH,
        follow_redirects=False,
    )
    assert signed.status_code == 303
    # remembered for e-mails, but not a choice: the pages still follow each request's header
    assert _stored(db, world.member.email) == ("es", False)
    assert '<html lang="en">' in client.get("/", headers=ENGLISH).text


def test_refusals_on_pages_read_in_spanish(client: TestClient, db: Database) -> None:
    world = make_world(db)
    browser(client)
    wrong = client.post(
        "/login",
        data=form({"email": world.member.email, "password": "not the password", "next": "/"}),
        headers=SPANISH,
    )
    assert wrong.status_code in (400, 401, 403, 422)
    assert "El correo electrónico o la contraseña son incorrectos." in wrong.text
    assert "E-mail or password is wrong." not in wrong.text
    # the same refusal stays English for an English reader
    english = client.post(
        "/login",
        data=form({"email": world.member.email, "password": "not the password", "next": "/"}),
        headers=ENGLISH,
    )
    assert "E-mail or password is wrong." in english.text


def test_the_error_page_reads_in_spanish(client: TestClient, db: Database) -> None:
    make_world(db)
    missing = client.get("/no-such-page", headers=SPANISH)
    assert missing.status_code == 404
    assert "No encontrado" in missing.text
    assert "No hay nada en /no-such-page. Revisa la dirección." in missing.text
    api = client.get("/no-such-page", headers={**SPANISH, "Accept": "application/json"})
    assert api.json()["detail"] == "Nothing at /no-such-page. Check the address."


def test_a_language_without_a_catalog_reads_english(client: TestClient, db: Database) -> None:
    make_world(db)
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,es;q=0.5"})
    # French has no catalog: the next language asked for that has one wins
    assert '<html lang="es">' in page.text and "Cambiar idioma" in page.text
    only_french = client.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in only_french.text

"""Answers shared by anonymous readers (`commonpot.shared_answers`), on both databases.

A public recipe read by someone not signed in is kept and given again while the database
is unchanged (PostgreSQL's snapshot, SQLite's data version); a commit makes the next request
read afresh, so nothing a change hides is ever shown again. A signed-in reader's answer is
never kept.

PostgreSQL's snapshot is the whole server's: other test workers' commits (and autovacuum's)
end kept answers too. So a test never counts on a given request being a hit; it asks again until one
is (`until_hit`), and checks every answer it gets.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.app import create_app
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.http import CSRF_COOKIE
from commonpot.recipes.models import Recipe
from commonpot.settings import Settings
from commonpot.shared_answers import SharedAnswers
from commonpot.templating import FLASH_COOKIE
from tests.factories.accounts import bearer, sign_in
from tests.factories.recipes import RecipeWorld, make_recipe_world

BASE = "/api/communities/publicville/recipes"


def answers_of(app: FastAPI) -> SharedAnswers:
    found: SharedAnswers = app.state.shared_answers
    return found


def until_hit(
    app: FastAPI, client: TestClient, url: str, headers: dict[str, str] | None = None
) -> list[Response]:
    """GET `url` until an answer was given again (at most 30 times); every answer."""
    answers, got = answers_of(app), []
    for _ in range(30):
        hits = answers.hits
        got.append(client.get(url, headers=headers))
        if answers.hits > hits:
            return got
    raise AssertionError(f"no answer given again in 30 requests ({answers.misses} misses)")


def test_an_anonymous_read_is_given_again_until_a_change_is_committed(
    app: FastAPI, client: TestClient, db: Database, backend: str
) -> None:
    world = make_recipe_world(db)
    url = f"{BASE}/{world.public_recipe}"
    first = client.get(url)
    assert first.status_code == 200
    answers = answers_of(app)
    for again in until_hit(app, client, url):
        assert again.status_code == 200
        assert again.content == first.content
        assert again.headers["content-type"] == "application/json"
    with db.unit_of_work() as session:  # another connection, as another process would
        recipe = session.get(Recipe, world.public_recipe)
        assert recipe is not None
        recipe.name = "Three sisters soup, with squash blossoms"
    hits = answers.hits
    assert client.get(url).json()["name"] == "Three sisters soup, with squash blossoms"
    assert answers.hits == hits  # the commit ended what was kept
    for again in until_hit(app, client, url):
        assert again.json()["name"] == "Three sisters soup, with squash blossoms"


def make_private(db: Database, world: RecipeWorld) -> None:
    """The world's public community made private, committed."""
    with db.unit_of_work() as session:
        community = session.get(Community, world.world.public.id)
        assert community is not None
        community.visibility = "private"


def test_what_a_change_hides_is_hidden_from_the_very_next_request(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    world = make_recipe_world(db)
    url = f"{BASE}/{world.public_recipe}"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # kept
    make_private(db, world)
    hidden = client.get(url)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"
    assert client.get(url).status_code == 404  # a refusal is not kept either


def test_a_signed_in_readers_answer_is_never_given_to_anyone_else(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    world = make_recipe_world(db)
    url = f"{BASE}/{world.community_recipe}"  # TK Community Use Only: members see it
    token = bearer(db, world.world.member)
    assert client.get(url, headers=token).status_code == 200
    assert client.get(url, headers=token).status_code == 200
    with TestClient(app) as browser:
        sign_in(browser, db, world.world.member)
        assert browser.get(url).status_code == 200
    assert answers_of(app).kept == 0
    assert client.get(url).status_code == 404  # anonymous: not the member's answer
    assert answers_of(app).kept == 0


def test_each_language_has_its_own_answer(
    app: FastAPI, client: TestClient, db: Database, backend: str
) -> None:
    world = make_recipe_world(db)
    url = f"{BASE}/{world.public_recipe}"
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    english = {"Accept-Language": "en-GB"}
    first = {"es": client.get(url, headers=spanish), "en": client.get(url, headers=english)}
    assert first["es"].json()["notices"] != first["en"].json()["notices"]
    for language, headers in (("es", spanish), ("en", english)):
        for again in until_hit(app, client, url, headers):
            assert again.content == first[language].content


def test_a_write_not_yet_committed_is_never_shown_and_its_end_ends_what_was_kept(
    app: FastAPI, client: TestClient, db: Database, backend: str
) -> None:
    """A transaction that has written but not committed changes nothing a reader sees, so
    the kept answer (without its change) is still given; once it ends, even undone, the
    PostgreSQL snapshot has moved and the next request reads afresh (SQLite's version moves
    with a commit only: an undone write leaves what was kept right)."""
    world = make_recipe_world(db)
    url = f"{BASE}/{world.public_recipe}"
    client.get(url)
    answers = answers_of(app)
    with db.engine.connect() as other:
        writing = other.begin()
        other.execute(
            text("UPDATE recipes SET name = 'Not yet' WHERE id = :id"), {"id": world.public_recipe}
        )
        for again in until_hit(app, client, url):
            assert again.json()["name"] == "Three sisters soup"
        writing.rollback()
    hits = answers.hits
    assert client.get(url).json()["name"] == "Three sisters soup"
    if backend == "postgresql":
        assert answers.hits == hits  # read again
    for again in until_hit(app, client, url):
        assert again.json()["name"] == "Three sisters soup"


def test_an_answer_read_for_someone_is_never_kept(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """Were a request to carry a credential the sharing check does not know, the read still
    resolves who is asking, and an answer read for a person is not kept."""
    world = make_recipe_world(db)
    url = f"{BASE}/{world.community_recipe}"  # members only
    member_id = world.world.member.id

    def everyone_is_the_member(
        session: Session, *, bearer: str | None, session_cookie: str | None
    ) -> Viewer:
        return Viewer(user=session.get(User, member_id))

    app.state.identify = everyone_is_the_member
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert answers_of(app).kept == 0


# the other public reads that share their answers: the community as JSON, its calendar feed
# (calendar apps poll it), its ActivityPub actor and outbox (every follower's server), its
# event, recipe and proposal lists and its ledger checkpoint (auditors poll it)
SHARED_READS = (
    "/api/communities/publicville",
    "/communities/publicville/events.ics",
    "/federation/publicville",
    "/federation/publicville/outbox",
    "/api/communities/publicville/events",
    "/api/communities/publicville/recipes",
    "/api/communities/publicville/proposals",
    "/api/communities/publicville/ledger/checkpoint",
)
AP = {"Accept": "application/activity+json"}


def test_the_communitys_other_public_reads_are_shared_until_a_change(
    app: FastAPI, client: TestClient, db: Database, backend: str
) -> None:
    make_recipe_world(db)
    firsts = {url: client.get(url, headers=AP) for url in SHARED_READS}
    for url, first in firsts.items():
        assert first.status_code == 200, url
        for again in until_hit(app, client, url, AP):
            assert again.status_code == 200
            assert again.content == first.content
            assert again.headers["content-type"] == first.headers["content-type"]
    # a browser asking for the actor still goes to the community's page
    page = client.get(
        "/federation/publicville", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert (page.status_code, page.headers["location"]) == (303, "/communities/publicville")
    with db.unit_of_work() as session:
        community = session.get(Community, make_world_id(session))
        assert community is not None
        community.name = "Publicville Supper Club"
    assert client.get(SHARED_READS[0]).json()["name"] == "Publicville Supper Club"
    assert b"Publicville Supper Club events" in client.get(SHARED_READS[1]).content
    assert client.get(SHARED_READS[2], headers=AP).json()["name"] == "Publicville Supper Club"
    with db.unit_of_work() as session:
        community = session.get(Community, make_world_id(session))
        assert community is not None
        community.visibility = "private"
    for url in SHARED_READS:
        hidden = client.get(url, headers=AP)
        assert hidden.status_code == 404, url
        assert hidden.headers["content-type"] == "application/problem+json"


def make_world_id(session: Session) -> int:
    found = session.scalar(text("SELECT id FROM communities WHERE slug = 'publicville'"))
    assert found is not None
    return int(found)


def test_a_feed_holding_the_requests_own_address_is_never_shared(
    settings: Settings, db: Database, backend: str
) -> None:
    """Without a configured address the feed's links take the request's `Host`: one reader's
    made-up host must not reach the next reader, so nothing is kept."""
    make_recipe_world(db)
    app = create_app(settings.model_copy(update={"base_url": ""}))
    try:
        with TestClient(app) as client:
            for host in ("evil.example", "testserver", "testserver"):
                feed = client.get("/communities/publicville/events.ics", headers={"Host": host})
                assert feed.status_code == 200
            assert answers_of(app).kept == 0
            assert client.get("/api/communities/publicville").status_code == 200
            until_hit(app, client, "/api/communities/publicville")  # it holds no address
    finally:
        app.state.db.dispose()


def test_a_search_is_read_afresh_and_never_kept(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """A query string makes endless URLs of one answer: searches are never kept."""
    world = make_recipe_world(db)
    url = "/api/communities/publicville/recipes?q=sisters"
    for _ in range(3):
        found = client.get(url)
        assert [r["id"] for r in found.json()] == [world.public_recipe]
    assert (answers_of(app).kept, answers_of(app).hits) == (0, 0)


PAGE = "/communities/publicville"


def _page_token(page: Response) -> str:
    """The CSRF token a page's forms carry (its `<meta name="csrf-token">`)."""
    found = re.search(r'<meta name="csrf-token" content="([^"]*)">', page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def _page(kind: str, world: RecipeWorld) -> str:
    return PAGE if kind == "home" else f"{PAGE}/recipes/{world.public_recipe}"


@pytest.mark.parametrize("kind", ["home", "recipe"])
def test_a_page_is_shared_with_each_readers_own_csrf_token(
    app: FastAPI, client: TestClient, db: Database, backend: str, kind: str
) -> None:
    """The community's home page and a public recipe's page (where shared links land) are
    rendered once for everyone not signed in; each reader's answer carries the CSRF token
    of their own browser, escaped as the template escapes it, and never the stand-in or
    another reader's token."""
    url = _page(kind, make_recipe_world(db))
    answers = answers_of(app)
    pages: list[tuple[str, Response]] = []
    for _ in range(30):
        client.cookies.clear()  # a new browser: the server gives it a token
        hits = answers.hits
        page = client.get(url)
        assert page.status_code == 200
        pages.append((page.cookies[CSRF_COOKIE], page))
        if answers.hits > hits:
            break
    assert len({token for token, _ in pages}) == len(pages)  # one token each
    bodies = set()
    for token, page in pages:
        assert _page_token(page) == token
        assert page.text.count(token) == 3  # the meta tag, htmx's header, the language form
        assert answers.marker not in page.text
        assert int(page.headers["content-length"]) == len(page.content)
        bodies.add(page.text.replace(token, "TOKEN"))
    assert len(bodies) == 1  # the same page otherwise
    assert answers.hits >= 1
    # a token the browser brought itself is still escaped, kept page or not
    client.cookies.clear()
    client.cookies.set(CSRF_COOKIE, 'x"><script>alert(1)</script>')
    for _ in range(3):
        page = client.get(url)
        assert "<script>alert(1)" not in page.text
        assert _page_token(page) == "x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.mark.parametrize("kind", ["home", "recipe"])
def test_a_signed_in_or_flashed_page_is_never_kept(
    app: FastAPI, client: TestClient, db: Database, kind: str
) -> None:
    world = make_recipe_world(db)
    url = _page(kind, world)
    sign_in(client, db, world.world.member)
    for _ in range(3):
        page = client.get(url)
        assert world.world.member.display_name in page.text
    assert answers_of(app).kept == 0
    client.cookies.clear()
    client.cookies.set(FLASH_COOKIE, "anything")
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert answers_of(app).kept == 0
    client.cookies.clear()
    page = client.get(url)  # not signed in: never the member's page
    assert world.world.member.display_name not in page.text
    make_private(db, world)
    hidden = client.get(url)
    assert hidden.status_code == 404
    assert _page_token(hidden) == hidden.cookies.get(CSRF_COOKIE, client.cookies.get(CSRF_COOKIE))


def test_a_recipe_page_names_the_instances_address_whatever_host_is_asked(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """Its JSON-LD `url` is the configured address, so a made-up `Host` cannot reach the
    page kept for the next reader."""
    url = _page("recipe", make_recipe_world(db))
    for host in ("evil.example", "testserver", "evil.example"):
        page = client.get(url, headers={"Host": host})
        assert page.status_code == 200
        assert f'"url": "http://testserver{url}"' in page.text
        assert "evil.example" not in page.text


def test_without_an_address_a_recipe_page_is_never_kept(settings: Settings, db: Database) -> None:
    url = _page("recipe", make_recipe_world(db))
    app = create_app(settings.model_copy(update={"base_url": ""}))
    try:
        with TestClient(app) as client:
            for host in ("evil.example", "testserver", "testserver"):
                page = client.get(url, headers={"Host": host})
                assert f'"url": "http://{host}{url}"' in page.text
            assert answers_of(app).kept == 0
    finally:
        app.state.db.dispose()


def test_a_change_another_process_commits_ends_what_was_kept(
    app: FastAPI, client: TestClient, db: Database, db_url: str
) -> None:
    """A command or a job worker writes from a process of its own: its commit ends the kept
    answers too (on SQLite, the database file's data version moves)."""
    world = make_recipe_world(db)
    url = f"{BASE}/{world.public_recipe}"
    until_hit(app, client, url)
    rename = (
        "import sys; from sqlalchemy import text; from commonpot.wiring import open_database\n"
        "db = open_database(sys.argv[1])\n"
        "with db.unit_of_work() as s:\n"
        "    s.execute(text('UPDATE recipes SET name = :n WHERE id = :i'),"
        " {'n': 'Renamed elsewhere', 'i': int(sys.argv[2])})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", rename, db_url, str(world.public_recipe)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert client.get(url).json()["name"] == "Renamed elsewhere"

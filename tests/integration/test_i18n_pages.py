"""Every main page of the demo reads in Spanish under `Accept-Language: es`.

A page fails when a sentence of the interface (a msgid of four words or more whose Spanish
differs from it) appears verbatim in its visible text, when the menu stays in English, or
when a role or state is shown untranslated ("eres member").
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot import demo
from commonpot.accounts.models import User
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.recipes.models import Recipe
from tests.factories.accounts import sign_in

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/commonpot/locale/es/LC_MESSAGES/messages.po"
# demo content (people's own words, in English) that happens to contain an interface sentence
DEMO_WORDS = ("Anyone who may see the recipe may listen in its experience.",)
SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


def _interface_sentences() -> list[str]:
    """msgids of four words or more whose Spanish reads differently (no placeholders)."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for entry in catalog:
        if not isinstance(entry.id, str) or not entry.id or not isinstance(entry.string, str):
            continue
        if "%(" in entry.id or "{" in entry.id or entry.string.strip() == entry.id.strip():
            continue
        if len(entry.id.split()) >= 4:
            found.append(entry.id)
    return found


def visible_text(page: str) -> str:
    """The page's text as a reader sees it: no scripts, styles or tags, entities decoded."""
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def _pages(db: Database) -> list[str]:
    with db.unit_of_work(write=False) as s:
        recipe_id = s.scalar(
            select(Recipe.id)
            .join(Community, Community.id == Recipe.community_id)
            .where(Community.slug == "riverside")
            .order_by(Recipe.id)
        )
    base = "/communities/riverside"
    return [
        "/",
        base,
        f"{base}/recipes",
        f"{base}/recipes/{recipe_id}",
        f"{base}/events",
        f"{base}/network",
        f"{base}/governance",
        f"{base}/ecology",
        f"{base}/biotumblers",
        f"{base}/federation",
        f"{base}/places",
        f"{base}/members",
        "/me/notifications",
        "/me",
    ]


@pytest.fixture
def steward_client(client: TestClient, db: Database) -> TestClient:
    with db.unit_of_work() as s:
        demo.load(s)
    with db.unit_of_work(write=False) as s:
        amara = s.scalars(select(User).where(User.email == "amara@riverside.example")).one()
    return sign_in(client, db, amara)


def test_every_main_page_reads_in_spanish(steward_client: TestClient, db: Database) -> None:
    sentences = _interface_sentences()
    assert len(sentences) > 300  # the check has teeth
    problems: dict[str, list[str]] = {}
    for path in _pages(db):
        response = steward_client.get(path, headers=SPANISH)
        assert response.status_code == 200, (path, response.status_code)
        assert '<html lang="es">' in response.text, path
        text = visible_text(response.text)
        for words in DEMO_WORDS:
            text = text.replace(words, " ")
        english = [s for s in sentences if s in text]
        english += re.findall(r"\beres (?:a )?(?:member|steward|custodian)\b", text)
        if english:
            problems[path] = english
    assert not problems, problems


def test_the_menu_and_roles_are_spanish(steward_client: TestClient) -> None:
    text = visible_text(steward_client.get("/communities/riverside", headers=SPANISH).text)
    for word in ("Recetas", "Eventos", "Compartir comida", "Decisiones", "Ecología", "Lugares"):
        assert word in text
    assert "eres administrador" in text
    members = visible_text(
        steward_client.get("/communities/riverside/members", headers=SPANISH).text
    )
    assert "miembro" in members and "administrador" in members
    assert not re.search(
        r"\b(steward|custodian)\b", members.split("Idioma")[0].split("Miembros", 1)[-1]
    )
    english = visible_text(
        steward_client.get("/communities/riverside", headers={"Accept-Language": "en"}).text
    )
    assert "Food sharing" in english and "Compartir comida" not in english

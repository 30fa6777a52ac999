"""Every main page of the demo reads in Spanish under `Accept-Language: es`.

A page fails when a sentence of the interface (a msgid of four words or more whose Spanish
differs from it) appears verbatim in its visible text, when the menu stays in English, or
when a role or state is shown untranslated ("eres member").
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

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


def _riverside_ids(db: Database, model: Any) -> list[int]:
    """The ids of riverside's rows of `model` (recipes, events), in id order."""
    with db.unit_of_work(write=False) as s:
        return list(
            s.scalars(
                select(model.id)
                .join(Community, Community.id == model.community_id)
                .where(Community.slug == "riverside")
                .order_by(model.id)
            )
        )


# an amount's last figure before its unit: a digit or a vulgar fraction ("2 ⅔ tsp")
FIGURE = "[\\d½⅓⅔¼¾⅛]"


def _pages(db: Database) -> list[str]:
    recipe_id = _riverside_ids(db, Recipe)[0]
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


# --- deeper pages: what a person meets past the menu ---------------------------------------
# words the demo's people wrote that happen to be interface words (a vote's options)
# and a food category (categories are what people type); "Family" names a Local Contexts label
DEMO_TERMS = frozenset(
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Sunday", "apples", "Family"}
)
# stored keys (snake_case) shown as they are stored; only machine text may hold them
SNAKE = re.compile(r"(?<![\w./@'-])[a-z]+(?:_[a-z]+)+(?![\w./'-])")
# a stored kind with its domain ("network.run_committed") shown instead of a sentence
DOTTED_KEY = re.compile(r"\b[a-z]+\.[a-z]+_[a-z_]+\b")
# a day or moment as stored ("2025-12-20", "2026-12-05T11:25"), not as a person writes it
ISO_MOMENT = re.compile(r"(?<![\w/-])\d{4}-\d{2}-\d{2}(?![\w/-])|\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
# a decimal point in Spanish ("35.9", "66.6667"): not "1.500" (thousands) nor 127.0.0.1
DOT_DECIMAL = re.compile(r"(?<![\w.])\d+\.(?:\d{1,2}|\d{4,})(?![\w.])")
# a reader in Spain: decimal comma (Mexico's Spanish writes a decimal point)
SPAIN = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}


def _deeper_pages(db: Database) -> list[str]:
    """Pages one step past the menu: each event, proposal, run, plan, compost drum, the ledger
    and the experience of a recipe adapted from another community."""
    from commonpot.biotumblers.models import Biotumbler
    from commonpot.ecology.models import CropPlan
    from commonpot.events.models import Event
    from commonpot.governance.models import Proposal
    from commonpot.network.models import AllocationRun

    base = "/communities/riverside"
    with db.unit_of_work(write=False) as s:
        here = s.scalars(select(Community).where(Community.slug == "riverside")).one().id

        def ids(column: Any, community: Any) -> list[Any]:
            return list(s.scalars(select(column).where(community == here).order_by(column)))

        adapted = s.scalar(
            select(Recipe.id).where(
                Recipe.community_id == here, Recipe.credit_text.like("Adapted from%")
            )
        )
        pages = [f"{base}/recipes/{i}" for i in ids(Recipe.id, Recipe.community_id)]
        pages += [f"{base}/events/{i}" for i in ids(Event.id, Event.community_id)]
        pages += [
            f"{base}/governance/proposals/{n}" for n in ids(Proposal.number, Proposal.community_id)
        ]
        pages += [
            f"{base}/network/runs/{i}" for i in ids(AllocationRun.id, AllocationRun.community_id)
        ]
        pages += [f"{base}/ecology/plans/{i}" for i in ids(CropPlan.id, CropPlan.community_id)]
        pages += [
            f"{base}/biotumblers/{d}" for d in ids(Biotumbler.device, Biotumbler.community_id)
        ]
    assert adapted is not None
    sections = [
        "biotumblers",
        "ecology/assessments",
        "ecology/food-access",
        "ecology/inventory",
        "ecology/plans",
        "ecology/seeds",
        "events",
        "events/attendance",
        "events/new",
        "events/outreach",
        "governance/grants",
        "jobs",
        "network",
        "network/carry",
        "network/my-food",
        "network/my-offers",
        "network/patches",
        "network/runs",
        "recipe-protocols",
        "recipes/new",
        "recipes/import",
        "recipes/shopping",
        "settings",
    ]
    return [
        base,
        *(f"{base}/{section}" for section in sections),
        *pages,
        f"{base}/governance/ledger",
        f"{base}/governance",
        f"{base}/recipes/{adapted}/experience",
        "/me/notifications",
    ]


def _interface_terms() -> set[str]:
    """Every msgid (any length, no placeholders) whose Spanish reads differently."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return {
        entry.id
        for entry in catalog
        if isinstance(entry.id, str)
        and entry.id
        and isinstance(entry.string, str)
        and "%(" not in entry.id
        and entry.string.strip() != entry.id.strip()
    }


def text_pieces(page: str) -> list[str]:
    """Each text node of the page, cut at commas, colons and middle dots ("elder: 2"), less
    a leading amount ("10 pieces" is "pieces")."""
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    pieces = []
    for node in re.split(r"<[^>]+>", page):
        for cut in re.split(r"[,:·]", html.unescape(node)):
            piece = re.sub(r"^[\d.,]+\s+", "", cut.strip())
            if piece:
                pieces.append(piece)
    return pieces


def _internals(text: str, lang: str) -> list[str]:
    found = SNAKE.findall(text) + DOTTED_KEY.findall(text)
    found += ISO_MOMENT.findall(text) + SECONDS.findall(text)
    if lang == "es":
        found += DOT_DECIMAL.findall(text.replace("127.0.0.1", " "))
    return found


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pages_past_the_menu_show_no_internals(
    steward_client: TestClient, db: Database, lang: str
) -> None:
    """Roles, languages, vote answers, alert kinds, handover states and ledger entries read as
    words; moments and numbers as the reader writes them; in Spanish no interface word stays
    English (a text piece that is a msgid whose Spanish differs)."""
    terms = _interface_terms() - DEMO_TERMS
    assert {"elder", "abstain", "seed bank", "low moisture"} <= terms  # the check has teeth
    problems: dict[str, list[str]] = {}
    pages = _deeper_pages(db)
    assert len(pages) > 15
    for path in pages:
        response = steward_client.get(
            path, headers=SPAIN if lang == "es" else {"Accept-Language": "en"}
        )
        assert response.status_code == 200, (path, response.status_code)
        # machine text on purpose: the ledger's verify command (to copy) and each entry's
        # JSON behind its toggle
        shown = re.sub(r"(?s)<(code|pre)\b.*?</\1>", " ", response.text)
        found = _internals(visible_text(shown), lang)
        if lang == "es":
            found += [p for p in text_pieces(shown) if p in terms]
            # what a field suggests or a control is called counts as much as its text
            said = re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]*)"', shown)
            found += [p for p in text_pieces(" <br> ".join(said)) if p in terms]
        if found:
            problems[path] = found
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_event_languages_and_experience_notices_read_in_spanish(
    steward_client: TestClient, db: Database
) -> None:
    """An event's languages are named ("inglés", not "en"); a recipe's experience words its
    attribution for the reader, as its text version does."""
    from commonpot.events.models import Event

    with db.unit_of_work(write=False) as s:
        here = s.scalars(select(Community).where(Community.slug == "riverside")).one().id
        events = list(
            s.execute(
                select(Event.id, Event.languages).where(
                    Event.community_id == here, Event.languages != ""
                )
            )
        )
        adapted = s.scalar(
            select(Recipe.id).where(
                Recipe.community_id == here, Recipe.credit_text.like("Adapted from%")
            )
        )
    assert events and adapted is not None
    for event_id, _codes in events:
        text = visible_text(
            steward_client.get(f"/communities/riverside/events/{event_id}", headers=SPAIN).text
        )
        languages = text.split("Idiomas", 1)[1].split("Roles", 1)[0]
        assert "inglés" in languages, languages
        assert not re.search(r"\b(en|es|ja|ar)\b", languages), languages
    for path in ("experience", "experience/text"):
        text = visible_text(
            steward_client.get(
                f"/communities/riverside/recipes/{adapted}/{path}", headers=SPAIN
            ).text
        )
        assert "Atribución:" in text and "Attribution:" not in text, path
    # the story's lineage names the adaptation's relation in the reader's words too: in the
    # text version and in the experience the 3-D scene reads
    assert "Comunidad de origen" in text and "Community of origin" not in text
    told = steward_client.get(
        f"/api/communities/riverside/recipes/{adapted}/experience", headers=SPAIN
    ).json()
    assert [p["relation"] for p in told["lineage"]] == ["Comunidad de origen"]
    assert "Community of origin" not in json.dumps(told)
    # the adapted recipe's lineage names its relation in the reader's words
    page = visible_text(
        steward_client.get(f"/communities/riverside/recipes/{adapted}", headers=SPAIN).text
    )
    assert "— Comunidad de origen" in page and "Community of origin" not in page


def test_an_events_time_zone_is_named_for_the_reader(
    steward_client: TestClient, db: Database
) -> None:
    """The zone beside an event's times reads "hora de Reino Unido", not "Europe/London"."""
    from commonpot.events.models import Event
    from commonpot.templating import zone_name

    with db.unit_of_work(write=False) as s:
        here = s.scalars(select(Community).where(Community.slug == "riverside")).one().id
        events = list(s.execute(select(Event.id, Event.timezone).where(Event.community_id == here)))
    assert events
    for event_id, zone in events:
        assert "/" in zone  # an IANA id such as Europe/London
        for lang, headers in (("es", SPAIN), ("en", {"Accept-Language": "en"})):
            page = steward_client.get(f"/communities/riverside/events/{event_id}", headers=headers)
            text = visible_text(page.text)
            named = zone_name(zone, lang)
            assert named != zone and f"({named})" in text, (lang, zone)
            assert f"({zone})" not in text
    assert zone_name("Europe/London", "es") == "hora de Reino Unido"


def test_not_found_pages_and_the_formulas_read_in_spanish(steward_client: TestClient) -> None:
    # refusals name what is missing with its parts (ids as typed, not as numbers)
    cases = {
        "/communities/riverside/recipes/12345": "No hay ninguna receta 12345 aquí.",
        "/communities/nowhere": "No hay ninguna comunidad «nowhere» aquí.",
        "/communities/riverside/events/12345": "No hay ningún evento 12345 aquí.",
        "/communities/riverside/governance/proposals/12345": (
            "No hay ninguna propuesta n.º 12345 aquí."
        ),
        "/communities/riverside/ecology/assessments/12345": "No existe esa evaluación aquí.",
    }
    for path, spanish in cases.items():
        response = steward_client.get(path, headers=SPANISH)
        assert response.status_code == 404, path
        text = visible_text(response.text)
        assert spanish in text, (path, text)
    # the same refusal stays English for an English reader
    english = steward_client.get("/communities/riverside/recipes/12345")
    assert "No recipe 12345 here." in visible_text(english.text)
    # the ecology page's formulas explain themselves in the reader's language
    ecology = steward_client.get("/communities/riverside/ecology", headers=SPANISH).text
    assert "número de cultivos con alguna superficie" in html.unescape(ecology)
    assert "number of crops with any area" not in html.unescape(ecology)


def test_scaled_amounts_use_the_readers_unit_words(
    steward_client: TestClient, db: Database
) -> None:
    from commonpot.recipes.models import RecipeIngredient

    with db.unit_of_work(write=False) as s:
        recipe_id = s.scalars(
            select(RecipeIngredient.recipe_id)
            .join(Community, Community.id == RecipeIngredient.community_id)
            .where(Community.slug == "riverside", RecipeIngredient.unit == "teaspoon")
            .order_by(RecipeIngredient.recipe_id)
        ).first()
    assert recipe_id is not None  # the demo measures something in teaspoons
    path = f"/communities/riverside/recipes/{recipe_id}?servings=9"
    english = visible_text(steward_client.get(path).text)
    spanish = visible_text(steward_client.get(path, headers=SPANISH).text)
    assert re.search(FIGURE + r" (tsp|tbsp)\b", english), english
    assert re.search(FIGURE + r" (cdta|cda)\.", spanish), spanish
    assert not re.search(FIGURE + r" (tsp|tbsp|cups?|cloves?|pinch(es)?)\b", spanish), spanish
    # and the events' shopping lists too
    from commonpot.events.models import Event

    events = _riverside_ids(db, Event)
    shown = [
        visible_text(steward_client.get(f"/communities/riverside/events/{n}", headers=SPANISH).text)
        for n in events
    ]
    assert any(re.search(FIGURE + r" (cdta|cda)\.", page) for page in shown)
    assert not any(re.search(FIGURE + r" (tsp|tbsp|cups?)\b", page) for page in shown)


def test_the_arrangement_text_names_chapters_in_the_readers_language(
    steward_client: TestClient, db: Database
) -> None:
    arranged = None
    for recipe_id in _riverside_ids(db, Recipe):
        page = steward_client.get(f"/communities/riverside/recipes/{recipe_id}/experience/arrange")
        if page.status_code == 200 and "Community of origin" in page.text:
            arranged = recipe_id
            break
    assert arranged is not None  # the demo has an adapted recipe with its origin chapter
    path = f"/communities/riverside/recipes/{arranged}/experience/arrange"
    spanish = html.unescape(steward_client.get(path, headers=SPANISH).text)
    assert "Comunidad de origen" in spanish and "Community of origin" not in spanish

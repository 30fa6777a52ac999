"""Sentences built in Python read in the reader's language (issue 19): ecology explanations
and plans, pairing reasons, action descriptions, ledger people, recipe notices, flashes; and
numbers follow the reader's locale (decimal comma in Spanish)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.ecology.models import CropPlan
from commonpot.events import signup
from commonpot.settings import Settings
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.factories.ecology import seed_domes
from tests.factories.events import as_viewer, make_event
from tests.factories.governance import fetch_community, make_proposal
from tests.factories.recipes import make_recipe

ES = {"accept-language": "es"}
ECOLOGY = "/communities/publicville/ecology"


def _seeded(db: Database):  # type: ignore[no-untyped-def]
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.public), w.steward)
    return w


def test_ratings_page_and_api_in_spanish_with_decimal_comma(
    client: TestClient, db: Database
) -> None:
    w = _seeded(db)
    page = client.get(ECOLOGY, headers=ES).text
    assert "El lugar menos diverso es South Dome" in page
    # the ratings table: Simpson and Hill numbers with a decimal comma, never a point
    table = page.split('id="ratings-caption"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    decimals = [c for c in cells if re.fullmatch(r"\d+[.,]\d+", c)]
    assert decimals and all("," in c for c in decimals), cells
    api = client.get(f"/api{ECOLOGY}/ratings", headers={**ES, **bearer(db, w.member)})
    lines = api.json()["explanations"]
    assert any(line.startswith("El lugar menos diverso es South Dome") for line in lines)
    north = next(line for line in lines if line.startswith("North Dome"))
    assert re.search(r"cultiva 3 cultivos, que equivalen a \d+,\d cultivos", north), north
    english = client.get(f"/api{ECOLOGY}/ratings", headers=bearer(db, w.member)).json()
    assert any("least diverse place is South Dome" in x for x in english["explanations"])


def test_plan_summary_and_chart_in_spanish(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    sign_in(client, db, w.steward)
    queued = client.post(f"{ECOLOGY}/plans", data=form({"min_plot_area": "2"}))
    assert queued.status_code == 200
    assert client.app.state.jobs.drain() >= 1  # type: ignore[attr-defined]
    with db.unit_of_work(write=False) as s:
        plan_id = s.scalar(select(CropPlan.id))
    page = client.get(f"{ECOLOGY}/plans/{plan_id}", headers=ES).text
    assert re.search(
        r"siembras?; el lugar menos diverso pasa de \d+(,\d+)? a \d+(,\d+)? cultivos", page
    )
    assert '"label": "Antes"' in page and '"label": "Before"' not in page
    listing = client.get(f"{ECOLOGY}/plans", headers=ES).text
    assert "el lugar menos diverso pasa de" in listing
    api = client.get(f"/api{ECOLOGY}/plans/{plan_id}", headers={**ES, **bearer(db, w.steward)})
    assert "el lugar menos diverso pasa de" in api.json()["summary"]


def test_pairing_reasons_in_spanish(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, "publicville")
        event = make_event(
            s, community, s.get(User, w.steward.id), title="Tamales", kind="class",
            roles=[{"name": "elder"}, {"name": "apprentice"}],
        )  # fmt: skip
        signup.register(s, community, as_viewer(s.get(User, w.custodian.id)), event, role="elder")
        signup.register(s, community, as_viewer(s.get(User, w.member.id)), event, role="apprentice")
        event_id = event.id
    sign_in(client, db, w.member)
    page = client.get(f"/communities/publicville/events/{event_id}", headers=ES).text
    table = page.split('id="pairs"', 1)[1].split("</table>", 1)[0]
    assert "59 años de diferencia" in table
    assert "years apart" not in table
    api = client.get(
        f"/api/communities/publicville/events/{event_id}/pairs",
        headers={**ES, **bearer(db, w.member)},
    )
    assert "59 años de diferencia" in api.json()["pairs"][0]["reasons"]


def test_action_description_and_floor_in_spanish(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    number = make_proposal(
        db, w.steward, "publicville", settings,
        action={"kind": "admit_member", "params": {"user_id": w.outsider.id, "role": "steward"}},
    )  # fmt: skip
    url = f"/communities/publicville/governance/proposals/{number}"
    sign_in(client, db, w.member)
    page = client.get(url, headers=ES).text
    assert "Admitir a un miembro: Hacer a Outsider administrador" in page
    assert re.search(r"quórum ≥ \d+ %, sí &gt; 50 %, votación ≥ \d+ h", page)
    english = client.get(url).text
    assert "Admit a member: Make Outsider a steward" in english


def test_ledger_names_unknown_people_in_spanish(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    make_proposal(db, w.steward, "publicville", settings)
    client.put(
        "/api/communities/publicville/proposals/1/vote",
        json={"ballot": {"choice": "yes"}},
        headers=bearer(db, w.member),
    )
    page = client.get("/communities/publicville/governance/ledger", headers=ES).text
    assert f"miembro n.º {w.member.id}" in page  # visitors do not see names
    assert "member #" not in page


def test_recipe_notices_in_spanish(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        recipe = make_recipe(s, w.public, w.member, name="Sopa de verano", season_start=5,
                             season_end=8)  # fmt: skip
        recipe_id = recipe.id
    sign_in(client, db, w.member)  # the recipe is for the community's members
    page = client.get(f"/communities/publicville/recipes/{recipe_id}", headers=ES).text
    assert "De temporada: se comparte y se cocina de mayo a agosto." in page
    assert "Atribución: Rosa Delgado" in page
    api = client.get(
        f"/api/communities/publicville/recipes/{recipe_id}", headers={**ES, **bearer(db, w.member)}
    ).json()
    assert "De temporada: se comparte y se cocina de mayo a agosto." in api["notices"]


def test_flash_with_a_name_in_spanish(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    client.cookies.set("commonpot_lang", "es")
    done = client.post(
        "/communities/publicville/events",
        data=form({"title": "Cena de otoño", "kind": "event",
                   "starts_at": "2030-10-01T18:00", "ends_at": "2030-10-01T21:00"}),
        follow_redirects=True,
    )  # fmt: skip
    assert done.status_code == 200, done.text[:500]
    assert "Cena de otoño ya está en el calendario." in done.text


def test_outreach_reasons_in_spanish_with_decimal_comma(client: TestClient, db: Database) -> None:
    w = make_world(db)
    client.post(
        "/api/communities/publicville/places",
        json={"name": "Far Enclave", "kind": "enclave", "lat": 51.40, "lon": -2.60,
              "population": 300},
        headers=bearer(db, w.member),
    )  # fmt: skip
    ranked = client.get("/api/communities/publicville/outreach", headers=ES).json()
    reason = ranked[0]["reason"]
    assert reason.startswith("300 personas en Far Enclave no tienen"), reason
    assert re.search(r"una clase en Public Kitchen les quedaría a \d+,\d km\.$", reason), reason
    sign_in(client, db, w.member)
    page = client.get("/communities/publicville/events/outreach", headers=ES).text
    assert "300 personas en Far Enclave no tienen" in page
    assert "people in Far Enclave" not in page


def test_refusal_with_figures_in_spanish(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    with db.unit_of_work(write=False) as s:
        from commonpot.communities.models import Place

        south = s.scalar(select(Place.id).where(Place.name == "South Dome"))
    sign_in(client, db, w.member)
    client.cookies.set("commonpot_lang", "es")
    refused = client.post(
        f"{ECOLOGY}/plantings",
        data=form({"place_id": str(south), "crop": "Zea mays", "area_m2": "70.5"}),
    )
    assert refused.status_code == 409
    # South Dome: 150 m², 100 m² planted
    assert "South Dome tiene 50 m² libres; una siembra de 70,5 m² no cabe." in refused.text
    client.cookies.set("commonpot_lang", "en")
    english = client.post(
        f"{ECOLOGY}/plantings",
        data=form({"place_id": str(south), "crop": "Zea mays", "area_m2": "70.5"}),
    )
    assert "South Dome has 50 m² free; a 70.5 m² planting does not fit." in english.text

"""Every import endpoint fed the bad-file corpus: 4xx problem+json (or the form again), and
nothing stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from commonpot.db import Database
from commonpot.ecology.models import Assessment, Planting
from commonpot.network.models import ForagingPatch
from commonpot.recipes.models import Recipe
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.fuzz.corpus import (
    BAD_NUMBERS,
    BIG_INT,
    DEEP,
    GENERIC,
    JSON_DOCUMENT,
    Case,
    csv_cases,
    html_with,
    valid_geojson,
    wrong_types,
)

MODELS = (Recipe, ForagingPatch, Planting, Assessment)
PROBLEM = "application/problem+json"


@dataclass
class Member:
    """A signed-in member of publicville with an API token."""

    client: TestClient
    auth: dict[str, str]
    db: Database


@pytest.fixture
def member(client: TestClient, db: Database) -> Member:
    world = make_world(db)
    auth = bearer(db, world.member)
    sign_in(client, db, world.member)
    return Member(client, auth, db)


def stored(db: Database) -> dict[str, int]:
    """How many rows each imported kind has."""
    with db.unit_of_work(write=False) as session:
        return {m.__name__: int(session.scalar(select(func.count(m.id))) or 0) for m in MODELS}


EMPTY = {m.__name__: 0 for m in MODELS}


def assert_problem(response: object, case: str) -> None:
    """A 4xx RFC 9457 problem document."""
    status = response.status_code  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert 400 <= status < 500, f"{case}: {status} {text[:200]}"
    assert response.headers["content-type"].startswith(PROBLEM), case  # type: ignore[attr-defined]
    body = json.loads(text)
    assert body["status"] == status and body["detail"], case
    assert len(body["detail"]) < 600, case


def _text(case: Case) -> str:
    return case.data.decode("utf-8", errors="replace")


JSON_BODIES = [
    *JSON_DOCUMENT,
    Case(
        "properties_list",
        json.dumps({**valid_geojson()})
        .replace('"properties": {', '"properties": [1], "x": {')
        .encode(),
    ),
]
COUNTS = [
    *GENERIC,
    *csv_cases("sample,a", "x,1", [(n, f"x,{v}") for n, v in BAD_NUMBERS]),
]
RECIPES = [
    *GENERIC,
    *JSON_DOCUMENT,
    Case("html_deep", html_with(b"[" * DEEP + b"]" * DEEP)),
    Case("html_nan", html_with(b'{"@type": "Recipe", "name": "x", "recipeYield": NaN}')),
    Case("ld_big_int", b'{"@type": "Recipe", "name": "x", "n": ' + BIG_INT.encode() + b"}"),
    Case("too_big", b" " * (6 * 1024 * 1024)),
]


def test_geojson_import_refuses_bad_json(member: Member) -> None:
    url = "/api/communities/publicville/network/patches.geojson"
    headers = {**member.auth, "content-type": "application/json"}
    for case in JSON_BODIES:
        assert_problem(member.client.post(url, content=case.data, headers=headers), case.name)
    bad = valid_geojson()
    bad["features"][0]["properties"] = [1]
    assert_problem(member.client.post(url, json=bad, headers=member.auth), "properties")
    text = json.dumps(valid_geojson()).replace(
        '"season_start_month": 6', '"season_start_month": 1e309'
    )
    assert_problem(member.client.post(url, content=text, headers=headers), "month 1e309")
    assert stored(member.db) == EMPTY


def test_geojson_import_wrong_types_everywhere(member: Member) -> None:
    url = "/api/communities/publicville/network/patches.geojson"
    headers = {**member.auth, "content-type": "application/json"}
    seen: set[str] = set()
    for case in wrong_types(valid_geojson()):
        path, value = case.name.rsplit("=", 1)
        if path in seen and value not in {"nan", "overflow", "big_int", "deep", "list"}:
            continue
        seen.add(path)
        before = stored(member.db)
        response = member.client.post(url, content=case.data, headers=headers)
        if response.status_code != 200:
            assert_problem(response, case.name)
            assert stored(member.db) == before, case.name


def test_recipe_imports_refuse_bad_files(member: Member) -> None:
    base = "/api/communities/publicville/recipes"
    for case in RECIPES:
        if case.data:
            response = member.client.post(
                f"{base}/import", json={"content": _text(case)}, headers=member.auth
            )
            assert_problem(response, f"import {case.name}")
        response = member.client.post(
            f"{base}/import-file",
            files={"file": (f"{case.name}.json", case.data, "application/json")},
            headers=member.auth,
        )
        assert_problem(response, f"import-file {case.name}")
    deep_body = b'{"content": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    response = member.client.post(
        f"{base}/import",
        content=deep_body,
        headers={**member.auth, "content-type": "application/json"},
    )
    assert_problem(response, "deep body")
    assert stored(member.db) == EMPTY


def test_recipe_import_form_shows_the_error_again(member: Member) -> None:
    for case in RECIPES[:12]:
        response = member.client.post(
            "/communities/publicville/recipes/import",
            data=form({"url": "", "content": _text(case)}),
            follow_redirects=False,
        )
        # the form again with the message; a body over the form parser's limit is a 400 page
        assert response.status_code in (400, 413, 422), f"{case.name}: {response.status_code}"
        assert "Traceback" not in response.text
    assert stored(member.db) == EMPTY


def test_ecology_inventory_import_refuses_bad_csv(member: Member) -> None:
    url = "/api/communities/publicville/ecology/inventory.csv"
    for case in [*COUNTS, Case("too_big", b"sample,a\n" + b"x,1\n" * 600_000)]:
        response = member.client.put(
            url, content=case.data, headers={**member.auth, "content-type": "text/csv"}
        )
        assert_problem(response, case.name)
    assert stored(member.db) == EMPTY


def test_ecology_assessment_refuses_bad_csv_and_never_stores_nan(member: Member) -> None:
    url = "/api/communities/publicville/ecology/assessments"
    before = "sample,a,b\nx,1,2\n"
    for case in [*COUNTS, Case("float_max_all", b"sample,a,b\nx,1e308,1e308\n")]:
        body = {"title": "Fuzz", "after_csv": _text(case) or " ", "before_csv": before}
        response = member.client.post(url, json=body, headers=member.auth)
        assert_problem(response, case.name)
    for literal in ("NaN", "Infinity", "1e309", BIG_INT):
        raw = '{"title": "Fuzz", "after_csv": "sample,a\\nx,1\\n", "n": ' + literal + "}"
        response = member.client.post(
            url, content=raw, headers={**member.auth, "content-type": "application/json"}
        )
        assert_problem(response, literal[:10])
    assert stored(member.db) == EMPTY


def test_ecology_web_forms_show_the_page_again_with_the_message(member: Member) -> None:
    for path in ("inventory/import", "assessments"):
        url = f"/communities/publicville/ecology/{path}"
        for case in COUNTS[:10]:
            response = member.client.post(
                url,
                data=form({"title": "Fuzz", "text": ""}),
                files={"file": ("counts.csv", case.data or b" ", "text/csv")},
                follow_redirects=False,
            )
            # too big for the form: 413 before any parsing; anything else: the page again
            assert response.status_code in (413, 422), f"{path} {case.name}: {response.status_code}"
            if response.status_code == 422:
                assert 'role="alert"' in response.text, case.name
            assert "Traceback" not in response.text
    assert stored(member.db) == EMPTY


@pytest.mark.parametrize("value", ["1e300", "²", "nan", "inf", "9" * 5000])
def test_ecology_planting_form_refuses_absurd_numbers(member: Member, value: str) -> None:
    response = member.client.post(
        "/communities/publicville/ecology/plantings",
        data=form({"place_id": value, "crop": "Kale", "area_m2": value}),
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert stored(member.db) == EMPTY

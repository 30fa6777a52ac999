"""Huge ids and offsets (2^63 and beyond) never make a route fail: 4xx, never 5xx."""

from __future__ import annotations

import typing

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from commonpot.db import Database
from tests.factories.accounts import bearer, csrf_headers, form, make_world, sign_in

HUGE = (2**31, 2**40, 2**63, 10**30)  # 2**31 is past every PostgreSQL INTEGER id


def _int_params(route: APIRoute) -> tuple[list[str], list[str]]:
    def ints(params: list[typing.Any]) -> list[str]:
        return [p.name for p in params if p.field_info.annotation in (int, int | None)]

    return ints(route.dependant.path_params), ints(route.dependant.query_params)


def _routes(app: typing.Any) -> list[tuple[str, str, list[str], list[str]]]:
    from fastapi import routing

    found = []
    for route in routing._iter_included_route_candidates(app.routes):
        if not isinstance(route, APIRoute):
            continue
        path_ints, query_ints = _int_params(route)
        if not path_ints and not query_ints:
            continue
        if route.path.endswith("/live"):  # a server-sent stream never ends by itself
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, route.path, path_ints, query_ints))
    return found


def test_every_route_with_an_integer_refuses_huge_numbers(client: TestClient, db: Database) -> None:
    w = make_world(db)
    client = TestClient(client.app, raise_server_exceptions=False)
    routes = _routes(client.app)
    assert len(routes) > 40  # the walk really covers the app
    failures = []
    for signed_in in (False, True):
        if signed_in:
            sign_in(client, db, w.steward)
        for huge in HUGE:
            for method, path, path_ints, query_ints in routes:
                url = path.replace("{slug}", "publicville")
                for name in path_ints:
                    url = url.replace("{" + name + "}", str(huge))
                url = url.replace("{kind}", "offers").replace("{step}", "volunteer")
                url = url.replace("{scope}", "all").replace("{token}", "x")
                params = {name: str(huge) for name in query_ints}
                kwargs: dict[str, typing.Any] = {"params": params, "headers": csrf_headers()}
                if method != "GET":
                    kwargs["data"] = form({})
                response = client.request(method, url, follow_redirects=False, **kwargs)
                if response.status_code >= 500:
                    failures.append((signed_in, method, path, response.status_code))
    assert sorted(set(failures)) == [], "\n".join(map(str, sorted(set(failures))))


@pytest.mark.parametrize("huge", HUGE)
def test_huge_path_id_is_a_problem_not_a_crash(client: TestClient, db: Database, huge: int) -> None:
    make_world(db)
    client = TestClient(client.app, raise_server_exceptions=False)
    got = client.get(f"/api/communities/publicville/recipes/{huge}")
    assert got.status_code in (404, 422)
    assert got.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("huge", [2**31, 2**40])
def test_a_body_id_beyond_the_column_is_a_problem_and_stores_nothing(
    client: TestClient, db: Database, huge: int
) -> None:
    """An id in a JSON body that no INTEGER column can hold: 4xx problem, no event stored."""
    from commonpot.events.models import Event

    w = make_world(db)
    client = TestClient(client.app, raise_server_exceptions=False)
    got = client.post(
        "/api/communities/publicville/events",
        json={
            "title": "Tamales night",
            "starts_at": "2027-01-10T18:00:00Z",
            "ends_at": "2027-01-10T21:00:00Z",
            "place_id": huge,
        },
        headers=bearer(db, w.steward),
    )
    assert 400 <= got.status_code < 500
    assert got.headers["content-type"].startswith("application/problem+json")
    with db.unit_of_work(write=False) as s:
        assert s.query(Event).count() == 0

"""Network over HTTP: offers and needs to a committed run, patches as GeoJSON."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commonpot.db import Database
from tests.factories.accounts import bearer, make_world

API = "/api/communities/publicville/network"


def test_offer_need_run_commit_pickup(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward, member = bearer(db, w.steward), bearer(db, w.member)
    offer = client.post(
        f"{API}/offers",
        json={"category": "Apples", "quantity": 5, "lat": 52.0, "lon": 5.0},
        headers=member,
    )
    assert offer.status_code == 201, offer.text
    assert offer.json()["category"] == "apples"
    group = client.post(f"{API}/groups", json={"name": "elders", "priority": 2}, headers=steward)
    assert group.status_code == 201
    need = client.post(
        f"{API}/needs",
        json={
            "category": "apples",
            "quantity": 3,
            "lat": 52.01,
            "lon": 5.0,
            "circumstances": ["elder"],
            "priority_consent": True,
        },
        headers=member,
    )
    assert need.status_code == 201
    placed = client.put(
        f"{API}/needs/{need.json()['id']}/group",
        json={"group_id": group.json()["id"]},
        headers=steward,
    )
    assert placed.status_code == 200, placed.text
    run = client.post(f"{API}/runs", json={}, headers=steward)
    assert run.status_code == 201, run.text
    body = run.json()
    assert body["status"] == "draft"
    assert body["metrics"]["fill_rate_by_group"] == {"elders": 1.0}
    assert [a["quantity"] for a in body["assignments"]] == [3]
    assert client.post(f"{API}/runs/{body['id']}/commit", headers=member).status_code == 403
    committed = client.post(f"{API}/runs/{body['id']}/commit", headers=steward)
    assert committed.json()["status"] == "committed"
    again = client.post(f"{API}/runs/{body['id']}/commit", headers=steward)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    offers = client.get(f"{API}/offers", headers=member).json()
    assert [(o["quantity"], o["allocated"], o["status"]) for o in offers] == [(5, 3, "open")]
    line = body["assignments"][0]["id"]
    carried = client.post(f"{API}/assignments/{line}/pickup", json={}, headers=member)
    assert carried.json()["pickup_user_id"] == w.member.id


def test_invalid_inputs_are_problems(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    bad = client.post(
        f"{API}/offers", json={"category": "x", "quantity": 0, "lat": 1, "lon": 1}, headers=steward
    )
    assert bad.status_code == 422
    params = client.post(f"{API}/runs", json={"params": {"segments": 0}}, headers=steward)
    assert params.status_code == 422
    assert params.json()["detail"] == "params.segments: must be an integer between 1 and 1000"


def test_patches_geojson_round_trip(client: TestClient, db: Database) -> None:
    w = make_world(db)
    member = bearer(db, w.member)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [5.1, 52.1]},
                "properties": {
                    "name": "Sloe hedge",
                    "species": "blackthorn",
                    "sustainable_yield_kg": 8,
                    "season_start_month": 9,
                },
            },
        ],
    }
    imported = client.post(f"{API}/patches.geojson", json=collection, headers=member)
    assert imported.status_code == 200, imported.text
    patch_id = imported.json()[0]["id"]
    logged = client.post(
        f"{API}/patches/{patch_id}/harvests", json={"quantity_kg": 3}, headers=member
    )
    assert logged.status_code == 201
    over = client.post(
        f"{API}/patches/{patch_id}/harvests", json={"quantity_kg": 6}, headers=member
    )
    assert over.status_code == 409
    exported = client.get(f"{API}/patches.geojson", headers=member).json()
    (feature,) = exported["features"]
    assert feature["geometry"]["coordinates"] == [5.1, 52.1]
    assert feature["properties"]["harvested_this_season_kg"] == 3


def test_handovers_over_http(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward, member, custodian = (
        bearer(db, w.steward),
        bearer(db, w.member),
        bearer(db, w.custodian),
    )
    offer = client.post(
        f"{API}/offers",
        json={"category": "honey", "quantity": 4, "lat": 52.0, "lon": 5.0, "unit": "jars"},
        headers=member,
    )
    assert offer.json()["unit"] == "jars"
    bad_unit = client.post(
        f"{API}/offers",
        json={"category": "honey", "quantity": 4, "lat": 52.0, "lon": 5.0, "unit": "buckets"},
        headers=member,
    )
    assert bad_unit.status_code == 422 and bad_unit.json()["field"] == "unit"
    client.post(
        f"{API}/needs",
        json={"category": "honey", "quantity": 2, "lat": 52.01, "lon": 5.0, "unit": "jars"},
        headers=custodian,
    )
    run = client.post(f"{API}/runs", json={}, headers=steward).json()
    client.post(f"{API}/runs/{run['id']}/commit", headers=steward)
    mine = client.get(f"{API}/handovers", headers=custodian).json()
    assert [(h["quantity"], h["unit"], h["state"]) for h in mine] == [(2, "jars", "proposed")]
    hid = mine[0]["id"]
    assert client.get(f"{API}/handovers", headers=member).json() == []
    assert [h["id"] for h in client.get(f"{API}/handovers?role=donor", headers=member).json()] == [
        hid
    ]
    refused = client.post(f"{API}/handovers/{hid}/confirm", headers=member)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    bad = client.post(
        f"{API}/handovers/{hid}/window",
        json={"window_start": "2020-01-01T10:00:00Z", "window_end": "2020-01-01T11:00:00Z"},
        headers=custodian,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "window_start"
    ok = client.post(f"{API}/handovers/{hid}/confirm", headers=custodian)
    assert ok.json()["state"] == "confirmed"
    done = client.post(f"{API}/handovers/{hid}/handed-over", headers=member)
    assert done.json()["state"] == "handed_over"
    outsider = bearer(db, w.outsider)
    assert client.get(f"{API}/handovers/{hid}", headers=outsider).status_code in (403, 404)
    private = "/api/communities/privatehill/network"
    assert client.get(f"{private}/handovers/{hid}", headers=outsider).status_code == 404

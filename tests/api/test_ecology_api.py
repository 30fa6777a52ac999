"""Ecology over HTTP: inventory in and out as CSV, ratings, assessments, plans, food access."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commonpot.db import Database
from tests.factories.accounts import bearer, make_world
from tests.factories.ecology import seed_domes

API = "/api/communities/publicville/ecology"
AFTER = (
    "sample,Zea mays,Phaseolus vulgaris,Cucurbita pepo,Capsicum annuum,Brassica oleracea,Okra\n"
    "North Dome,190,3,3,0,0,0.1\nSouth Dome,140,0,0,5,0,0.1\nWillow Dome,110,0,0,0,5,0.1\n"
)


def _seeded(db: Database) -> object:
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.public), w.steward)
    return w


def test_inventory_csv_export_import_and_errors(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    member = bearer(db, w.member)  # type: ignore[attr-defined]
    exported = client.get(f"{API}/inventory.csv", headers=member)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.startswith("sample,Brassica oleracea")
    body = "sample,Zea mays,Amaranthus\nSouth Dome,20,abc\n"
    bad = client.put(f"{API}/inventory.csv", content=body, headers=member)
    assert bad.status_code == 422
    assert bad.json()["detail"] == "row 2, column \"Amaranthus\": not a number ('abc')"
    ok = client.put(
        f"{API}/inventory.csv",
        content="sample,Zea mays,Amaranthus\nSouth Dome,20,30\n",
        headers=member,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"plantings": 2}
    rows = client.get(f"{API}/plantings", headers=member).json()
    south = sorted((r["crop"], r["area_m2"]) for r in rows if r["place"] == "South Dome")
    assert south == [("Amaranthus", 30.0), ("Zea mays", 20.0)]


def test_ratings_are_public_for_a_public_community(client: TestClient, db: Database) -> None:
    _seeded(db)
    got = client.get(f"{API}/ratings")
    assert got.status_code == 200
    data = got.json()
    assert data["report"]["alpha"]["North Dome"]["richness"] == 3
    assert data["report"]["partition"]["q"] == 1
    assert data["explanations"]


def test_gamed_assessment_over_http(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    member = bearer(db, w.member)  # type: ignore[attr-defined]
    made = client.post(
        f"{API}/assessments", json={"title": "Corporate maize", "after_csv": AFTER}, headers=member
    )
    assert made.status_code == 201, made.text
    assert made.json()["gamed"] is True
    proposal = client.post(
        "/api/communities/publicville/proposals",
        json={"title": "Accept the maize plan"},
        headers=member,
    )
    assert proposal.status_code == 201, proposal.text
    number = proposal.json()["number"]
    attached = client.post(
        f"{API}/assessments/{made.json()['id']}/attach",
        json={"proposal_number": number},
        headers=member,
    )
    assert attached.status_code == 200
    assert attached.json()["proposal_number"] == number
    missing = client.post(
        f"{API}/assessments/{made.json()['id']}/attach",
        json={"proposal_number": 999},
        headers=member,
    )
    assert missing.status_code == 404


def test_plan_drafted_by_steward_only_and_proposal_can_carry_it(
    client: TestClient, db: Database
) -> None:
    w = _seeded(db)
    steward, member = bearer(db, w.steward), bearer(db, w.member)  # type: ignore[attr-defined]
    assert client.post(f"{API}/plans", json={}, headers=member).status_code == 403
    plan = client.post(f"{API}/plans", json={"min_plot_area": 2.0}, headers=steward)
    assert plan.status_code == 201, plan.text
    body = plan.json()
    assert body["status"] == "draft"
    assert body["after"]["min_hill_1"] > body["before"]["min_hill_1"]
    proposal = client.post(
        "/api/communities/publicville/proposals",
        json={
            "title": "Share seed as planned",
            "action": {"kind": "adopt_crop_plan", "params": {"plan_id": body["id"]}},
        },
        headers=member,
    )
    assert proposal.status_code == 201, proposal.text
    infeasible = client.post(f"{API}/plans", json={"gamma_floor": 40}, headers=steward)
    assert infeasible.status_code == 422
    assert "below the floor" in infeasible.json()["detail"]


def test_food_access_layer(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    got = client.get(f"{API}/food-access?catchment_km=2", headers=bearer(db, w.member))  # type: ignore[attr-defined]
    assert got.status_code == 200
    assert got.json()["catchment_km"] == 2.0
    bad = client.get(f"{API}/food-access?catchment_km=0", headers=bearer(db, w.member))  # type: ignore[attr-defined]
    assert bad.status_code == 422


def test_invalid_bodies_are_problems(client: TestClient, db: Database) -> None:
    w = _seeded(db)
    member = bearer(db, w.member)  # type: ignore[attr-defined]
    got = client.post(
        f"{API}/plantings", json={"place_id": 1, "crop": "x", "area_m2": -1}, headers=member
    )
    assert got.status_code == 422
    assert got.headers["content-type"].startswith("application/problem+json")

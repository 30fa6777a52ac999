"""Ecology tenancy: outsiders never read or change another community's ecology data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.ecology.models import Assessment, CropPlan, Planting, SeedLot
from tests.factories.accounts import bearer, make_world
from tests.factories.ecology import seed_domes

PRIVATE = "/api/communities/privatehill/ecology"
PUBLIC = "/api/communities/publicville/ecology"
MEMBER_READS = [
    "crops",
    "plantings",
    "inventory.csv",
    "seed-lots",
    "assessments",
    "plans",
    "food-access",
]
CSV = "sample,Zea mays\nNorth Dome,1\n"
WRITES = [
    ("post", "crops", {"json": {"name": "Oca"}}),
    ("post", "plantings", {"json": {"place_id": 1, "crop": "Oca", "area_m2": 1}}),
    ("put", "inventory.csv", {"content": CSV}),
    ("post", "seed-lots", {"json": {"code": "Z", "crop": "Oca", "quantity": 1}}),
    ("post", "assessments", {"json": {"title": "sneaky", "after_csv": CSV}}),
    ("post", "plans", {"json": {}}),
]


def _seed(db: Database) -> object:
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.private), w.private_steward)
        seed_domes(s, s.merge(w.public), w.steward)
    return w


def counts(db: Database) -> tuple[int, ...]:
    with db.unit_of_work(write=False) as s:
        return tuple(
            s.scalar(select(func.count(t.id))) or 0
            for t in (Planting, SeedLot, Assessment, CropPlan)
        )


@pytest.mark.parametrize("path", [*MEMBER_READS, "ratings"])
def test_private_community_is_invisible(client: TestClient, db: Database, path: str) -> None:
    w = _seed(db)
    assert client.get(f"{PRIVATE}/{path}", headers=bearer(db, w.outsider)).status_code == 404  # type: ignore[attr-defined]
    assert client.get(f"{PRIVATE}/{path}").status_code in (401, 404)


@pytest.mark.parametrize("path", MEMBER_READS)
def test_outsider_cannot_read_public_communitys_inventory(
    client: TestClient, db: Database, path: str
) -> None:
    w = _seed(db)
    assert client.get(f"{PUBLIC}/{path}", headers=bearer(db, w.outsider)).status_code == 403  # type: ignore[attr-defined]
    assert client.get(f"{PUBLIC}/{path}", headers=bearer(db, w.member)).status_code == 200  # type: ignore[attr-defined]


@pytest.mark.parametrize(("method", "path", "kwargs"), WRITES)
def test_outsider_cannot_change_anything(
    client: TestClient, db: Database, method: str, path: str, kwargs: dict[str, object]
) -> None:
    w = _seed(db)
    before = counts(db)
    for base, status in ((PRIVATE, 404), (PUBLIC, 403)):
        got = getattr(client, method)(f"{base}/{path}", headers=bearer(db, w.outsider), **kwargs)  # type: ignore[attr-defined]
        assert got.status_code == status, got.text
    assert counts(db) == before


def test_member_cannot_do_stewards_work(client: TestClient, db: Database) -> None:
    w = _seed(db)
    before = counts(db)
    member = bearer(db, w.member)  # type: ignore[attr-defined]
    assert client.post(f"{PUBLIC}/plans", json={}, headers=member).status_code == 403
    lot = {"code": "Q", "crop": "Oca", "quantity": 1}
    assert client.post(f"{PUBLIC}/seed-lots", json=lot, headers=member).status_code == 403
    assert counts(db) == before


def test_cross_community_ids_are_not_found(client: TestClient, db: Database) -> None:
    w = _seed(db)
    with db.unit_of_work(write=False) as s:
        private_planting = s.scalar(
            select(Planting.id).where(Planting.community_id == w.private.id)  # type: ignore[attr-defined]
        )
    member = bearer(db, w.member)  # type: ignore[attr-defined]
    got = client.delete(f"{PUBLIC}/plantings/{private_planting}", headers=member)
    assert got.status_code == 404
    assert client.get(f"{PUBLIC}/plans/999", headers=member).status_code == 404
    before = counts(db)
    assert before[0] == 12

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


def _attached(db: Database, assessment_id: int) -> int | None:
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(Assessment.proposal_id).where(Assessment.id == assessment_id))


def _proposal(client: TestClient, slug: str, headers: dict[str, str]) -> int:
    made = client.post(
        f"/api/communities/{slug}/proposals", json={"title": "Plant more maize"}, headers=headers
    )
    assert made.status_code == 201, made.text
    return int(made.json()["number"])


def test_only_author_or_steward_may_attach_an_assessment(client: TestClient, db: Database) -> None:
    from tests.factories.accounts import form, sign_in

    w = _seed(db)
    steward, member = bearer(db, w.steward), bearer(db, w.member)  # type: ignore[attr-defined]
    made = client.post(
        f"{PUBLIC}/assessments",
        json={"title": "Steward's check", "after_csv": CSV},
        headers=steward,
    )
    assert made.status_code == 201, made.text
    aid = made.json()["id"]
    first, second = (
        _proposal(client, "publicville", steward),
        _proposal(client, "publicville", member),
    )
    ok = client.post(
        f"{PUBLIC}/assessments/{aid}/attach", json={"proposal_number": first}, headers=steward
    )
    assert ok.status_code == 200, ok.text
    before = _attached(db, aid)
    assert before is not None
    # another member may not move the report (and its warning) to their own proposal
    moved = client.post(
        f"{PUBLIC}/assessments/{aid}/attach", json={"proposal_number": second}, headers=member
    )
    assert moved.status_code == 403
    assert moved.headers["content-type"].startswith("application/problem+json")
    assert _attached(db, aid) == before
    # nor through the page
    sign_in(client, db, w.member)  # type: ignore[attr-defined]
    page = client.post(
        f"/communities/publicville/ecology/assessments/{aid}/attach",
        data=form({"proposal_number": str(second)}),
        follow_redirects=False,
    )
    assert page.status_code in (303, 403)
    assert _attached(db, aid) == before
    shown = client.get(f"/communities/publicville/ecology/assessments/{aid}")
    assert f"/assessments/{aid}/attach" not in shown.text
    client.cookies.clear()
    # a proposal of another community is never reachable, not even for a steward
    private_number = _proposal(client, "privatehill", bearer(db, w.private_steward))  # type: ignore[attr-defined]
    other = client.post(
        f"{PUBLIC}/assessments/{aid}/attach",
        json={"proposal_number": private_number + 100},
        headers=steward,
    )
    assert other.status_code == 404
    assert _attached(db, aid) == before


def test_author_and_steward_may_attach(client: TestClient, db: Database) -> None:
    w = _seed(db)
    steward, member = bearer(db, w.steward), bearer(db, w.member)  # type: ignore[attr-defined]
    made = client.post(
        f"{PUBLIC}/assessments", json={"title": "My own check", "after_csv": CSV}, headers=member
    )
    aid = made.json()["id"]
    number = _proposal(client, "publicville", member)
    mine = client.post(
        f"{PUBLIC}/assessments/{aid}/attach", json={"proposal_number": number}, headers=member
    )
    assert mine.status_code == 200
    again = _proposal(client, "publicville", steward)
    theirs = client.post(
        f"{PUBLIC}/assessments/{aid}/attach", json={"proposal_number": again}, headers=steward
    )
    assert theirs.status_code == 200
    assert theirs.json()["proposal_number"] == again


def test_member_cannot_change_a_crop_in_the_shared_taxonomy(
    client: TestClient, db: Database
) -> None:
    from commonpot.ecology.models import Crop

    w = _seed(db)
    member = bearer(db, w.member)  # type: ignore[attr-defined]

    def crops() -> list[tuple[str, list[str]]]:
        with db.unit_of_work(write=False) as s:
            rows = s.scalars(select(Crop).where(Crop.community_id == w.public.id).order_by(Crop.id))  # type: ignore[attr-defined]
            return [(c.name, list(c.climates)) for c in rows]

    before = crops()
    name = before[0][0]
    refused = client.post(
        f"{PUBLIC}/crops", json={"name": name, "climates": ["arctic"]}, headers=member
    )
    assert refused.status_code == 403
    assert crops() == before
    added = client.post(f"{PUBLIC}/crops", json={"name": "Oca tuberosa"}, headers=member)
    assert added.status_code in (200, 201)
    changed = client.post(
        f"{PUBLIC}/crops",
        json={"name": name, "climates": ["arid"]},
        headers=bearer(db, w.steward),  # type: ignore[attr-defined]
    )
    assert changed.status_code in (200, 201)

"""Network tenancy: outsiders never read or change a community's food network."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.accounts.service import Viewer
from commonpot.db import Database
from commonpot.network import runs
from commonpot.network.models import AllocationRun, Need, Offer
from tests.factories.accounts import bearer, make_world
from tests.factories.network import add_need, add_offer

PRIVATE = "/api/communities/privatehill/network"
PUBLIC = "/api/communities/publicville/network"
READS = ["offers", "needs", "groups", "patches", "patches.geojson", "runs", "handovers"]


def _seed(db: Database) -> tuple[object, int]:
    w = make_world(db)
    with db.unit_of_work() as s:
        for community, user, steward in (
            (w.private, w.private_member, w.private_steward),
            (w.public, w.member, w.steward),
        ):
            c = s.merge(community)
            add_offer(s, c, user, 3)
            add_need(s, c, user, 2)
            run_id = runs.create_run(s, c, Viewer(user=steward)).id
    return w, run_id


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.unit_of_work(write=False) as s:
        return (
            s.scalar(select(func.count(Offer.id))) or 0,
            s.scalar(select(func.count(Need.id))) or 0,
            s.scalar(select(func.count(AllocationRun.id))) or 0,
            s.scalar(select(func.sum(Offer.allocated))) or 0,
        )


@pytest.mark.parametrize("path", READS)
def test_outsider_and_anonymous_cannot_read_private_network(
    client: TestClient, db: Database, path: str
) -> None:
    w, _ = _seed(db)
    assert client.get(f"{PRIVATE}/{path}", headers=bearer(db, w.outsider)).status_code == 404
    assert client.get(f"{PRIVATE}/{path}").status_code in (401, 404)


@pytest.mark.parametrize("path", READS)
def test_outsider_cannot_read_public_communitys_network(
    client: TestClient, db: Database, path: str
) -> None:
    w, _ = _seed(db)
    assert client.get(f"{PUBLIC}/{path}", headers=bearer(db, w.outsider)).status_code == 403


def test_outsider_cannot_change_anything(client: TestClient, db: Database) -> None:
    w, run_id = _seed(db)
    before = counts(db)
    outsider = bearer(db, w.outsider)
    body = {"category": "veg", "quantity": 1, "lat": 52.0, "lon": 5.0}
    assert client.post(f"{PRIVATE}/offers", json=body, headers=outsider).status_code == 404
    assert client.post(f"{PUBLIC}/needs", json=body, headers=outsider).status_code == 403
    assert client.post(f"{PUBLIC}/runs", json={}, headers=outsider).status_code == 403
    assert client.post(f"{PUBLIC}/runs/{run_id}/commit", headers=outsider).status_code == 403
    assert client.post(f"{PUBLIC}/offers/1/withdraw", headers=outsider).status_code in (403, 404)
    assert counts(db) == before


def test_member_cannot_do_stewards_work_nor_see_others_needs(
    client: TestClient, db: Database
) -> None:
    w, run_id = _seed(db)
    before = counts(db)
    member = bearer(db, w.custodian)  # a member of publicville, not a steward
    assert client.get(f"{PUBLIC}/runs", headers=member).status_code == 403
    assert client.post(f"{PUBLIC}/runs/{run_id}/commit", headers=member).status_code == 403
    assert (
        client.post(
            f"{PUBLIC}/groups", json={"name": "us", "priority": 5}, headers=member
        ).status_code
        == 403
    )
    assert client.get(f"{PUBLIC}/needs", headers=member).json() == []
    assert counts(db) == before


def test_steward_of_one_community_cannot_commit_anothers_run(
    client: TestClient, db: Database
) -> None:
    w, _ = _seed(db)
    with db.unit_of_work(write=False) as s:
        private_run = s.scalar(
            select(AllocationRun.id).where(AllocationRun.community_id == w.private.id)
        )
    before = counts(db)
    steward = bearer(db, w.steward)
    assert client.post(f"{PUBLIC}/runs/{private_run}/commit", headers=steward).status_code == 404
    assert client.post(f"{PRIVATE}/runs/{private_run}/commit", headers=steward).status_code == 404
    assert counts(db) == before


def _patch_row(db: Database) -> tuple[object, ...]:
    from commonpot.network.models import ForagingPatch

    with db.unit_of_work(write=False) as s:
        found = s.scalars(select(ForagingPatch).order_by(ForagingPatch.id)).all()
        return tuple((p.name, p.species, p.lat, p.sustainable_yield_kg) for p in found)


def test_member_cannot_overwrite_a_mapped_patch(client: TestClient, db: Database) -> None:
    w = make_world(db)
    patch = {
        "name": "Elder grove",
        "species": "elderflower",
        "lat": 52.0,
        "lon": 5.0,
        "sustainable_yield_kg": 10,
    }
    made = client.post(f"{PUBLIC}/patches", json=patch, headers=bearer(db, w.steward))
    assert made.status_code in (200, 201), made.text
    before = _patch_row(db)
    member = bearer(db, w.member)
    greedy = {**patch, "sustainable_yield_kg": 900}
    refused = client.post(f"{PUBLIC}/patches", json=greedy, headers=member)
    assert refused.status_code == 403
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [5.0, 52.0]},
                "properties": {"name": "Elder grove", "species": "x", "sustainable_yield_kg": 900},
            }
        ],
    }
    imported = client.post(f"{PUBLIC}/patches.geojson", json=geojson, headers=member)
    assert imported.status_code == 403
    assert _patch_row(db) == before
    # the same data again changes nothing and stays allowed; a new patch is any member's
    assert client.post(f"{PUBLIC}/patches", json=patch, headers=member).status_code in (200, 201)
    new = {**patch, "name": "Nettle bank"}
    assert client.post(f"{PUBLIC}/patches", json=new, headers=member).status_code in (200, 201)
    steward = client.post(f"{PUBLIC}/patches", json=greedy, headers=bearer(db, w.steward))
    assert steward.status_code in (200, 201)


def test_a_private_communitys_handovers_stay_there(client: TestClient, db: Database) -> None:
    from commonpot.network.models import Handover

    w, _ = _seed(db)
    with db.unit_of_work() as s:
        private = s.merge(w.private)
        run_id = runs.create_run(s, private, Viewer(user=w.private_steward)).id
        runs.commit_run(s, private, Viewer(user=w.private_steward), run_id)
        hid = s.scalars(select(Handover.id).where(Handover.community_id == private.id)).one()
    member = bearer(db, w.member)  # a member of the public community only
    for step in ("confirm", "decline", "volunteer", "handed-over"):
        # through the public community the private id is not there; through the private
        # community the member is nobody
        assert client.post(f"{PUBLIC}/handovers/{hid}/{step}", headers=member).status_code == 404
        assert client.post(f"{PRIVATE}/handovers/{hid}/{step}", headers=member).status_code == 404
    assert client.get(f"{PUBLIC}/handovers/{hid}", headers=member).status_code == 404
    assert client.get(f"{PUBLIC}/handovers?role=donor", headers=member).json() == []
    with db.unit_of_work(write=False) as s:
        assert s.get(Handover, hid).state == "proposed"

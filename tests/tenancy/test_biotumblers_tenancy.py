"""Biotumbler tenancy: a private community's devices are 404 to outsiders on every path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.biotumblers.models import Batch, Biotumbler, Reading
from commonpot.db import Database
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.factories.accounts import browser as anonymous
from tests.factories.biotumblers import register, wire

API = "/api/communities/privatehill/biotumblers"
WEB = "/communities/privatehill/biotumblers"
READS = [API, f"{API}/tumbler-1", f"{API}/tumbler-1/batches", WEB, f"{WEB}/tumbler-1",
         f"{WEB}/tumbler-1/evidence.csv", f"{WEB}/tumbler-1/live?limit=1"]  # fmt: skip


def seed(db: Database) -> tuple[object, str]:
    w = make_world(db)
    with db.unit_of_work() as s:
        _, token = register(s, s.merge(w.private), w.private_steward)
    return w, token


def snapshot(db: Database) -> tuple[object, ...]:
    with db.unit_of_work(write=False) as s:
        devices = tuple(s.execute(select(Biotumbler.device, Biotumbler.token_hash)).all())
        return (
            devices,
            s.scalar(select(func.count()).select_from(Reading)),
            s.scalar(select(func.count()).select_from(Batch)),
        )


@pytest.mark.parametrize("who", ["anonymous", "outsider", "outsider-token"])
def test_outsiders_get_404_on_every_read_path(client: TestClient, db: Database, who: str) -> None:
    w, _ = seed(db)
    headers: dict[str, str] = {}
    if who == "outsider":
        sign_in(client, db, w.outsider)  # type: ignore[attr-defined]
    elif who == "outsider-token":
        headers = bearer(db, w.outsider)  # type: ignore[attr-defined]
    for path in READS:
        r = client.get(path, headers=headers)
        assert r.status_code == 404, path
        assert "Tumbler-1" not in r.text  # the name is never shown
        assert "No community" in r.text  # exactly as if the community did not exist


def test_outsiders_cannot_change_anything(client: TestClient, db: Database) -> None:
    w, _ = seed(db)
    before = snapshot(db)
    headers = bearer(db, w.outsider)  # type: ignore[attr-defined]
    for method, path, body in [
        ("post", API, {"device": "sneaky"}),
        ("post", f"{API}/tumbler-1/token", None),
        ("post", f"{API}/tumbler-1/batches", {}),
        ("post", f"{API}/tumbler-1/batches/end", None),
        ("delete", f"{API}/tumbler-1", None),
    ]:
        r = client.request(method, path, json=body, headers=headers)
        assert r.status_code == 404, path
    sign_in(client, db, w.outsider)  # type: ignore[attr-defined]
    for path in [
        WEB,
        f"{WEB}/tumbler-1/token",
        f"{WEB}/tumbler-1/batches",
        f"{WEB}/tumbler-1/delete",
    ]:
        r = client.post(path, data=form({"device": "sneaky"}), follow_redirects=False)
        assert r.status_code == 404, path
    assert snapshot(db) == before


def test_a_device_token_does_not_open_another_community(client: TestClient, db: Database) -> None:
    w, token = seed(db)
    with db.unit_of_work() as s:
        register(s, s.merge(w.public), w.steward)  # type: ignore[attr-defined]
    r = client.post(
        "/api/communities/publicville/biotumblers/tumbler-1/readings",
        json=[wire(0, 60)],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 404
    assert snapshot(db)[1] == 0


def test_members_read_but_only_stewards_manage(client: TestClient, db: Database) -> None:
    w, _ = seed(db)
    before = snapshot(db)
    member = bearer(db, w.private_member)  # type: ignore[attr-defined]
    assert client.get(f"{API}/tumbler-1", headers=member).status_code == 200
    assert client.post(API, json={"device": "mine"}, headers=member).status_code == 403
    assert client.post(f"{API}/tumbler-1/token", headers=member).status_code == 403
    assert client.delete(f"{API}/tumbler-1", headers=member).status_code == 403
    assert client.post(f"{API}/tumbler-1/batches", json={}, headers=member).status_code == 403
    sign_in(client, db, w.private_member)  # type: ignore[attr-defined]
    page = client.get(WEB)
    assert page.status_code == 200
    assert "Register a biotumbler" not in page.text
    r = client.post(WEB, data=form({"device": "mine"}), follow_redirects=False)
    assert r.status_code == 403  # refused, not a redirect with a flash
    r = client.post(f"{WEB}/tumbler-1/token", data=form({}), follow_redirects=False)
    assert r.status_code == 403  # refused, not a redirect with a flash
    assert snapshot(db) == before


def test_public_dashboard_is_read_only_for_anyone(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        register(s, s.merge(w.public), w.steward)
    anonymous(client)
    assert client.get("/communities/publicville/biotumblers/tumbler-1").status_code == 200
    assert client.get("/api/communities/publicville/biotumblers/tumbler-1").status_code == 200
    before = snapshot(db)
    r = client.post(
        "/communities/publicville/biotumblers/tumbler-1/token",
        data=form({}),
        follow_redirects=False,
    )
    assert r.status_code in {303, 401, 403}
    assert snapshot(db) == before

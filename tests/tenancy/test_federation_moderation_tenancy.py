"""Follow requests, reports, adaptations and remote calendars stay inside their community."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commonpot.db import Database
from commonpot.federation.models import Follower, RemoteItem, Report
from commonpot.recipes.models import Recipe
from tests.factories.accounts import World, bearer, form, make_world, sign_in


def _seed(db: Database) -> tuple[World, dict[str, int]]:
    world = make_world(db)
    with db.unit_of_work() as s:
        follower = Follower(
            community_id=world.public.id,
            actor_id="https://far.example/federation/friends",
            inbox="https://far.example/federation/friends/inbox",
            domain="far.example",
            state="pending",
        )
        item = RemoteItem(
            community_id=world.public.id,
            object_id="https://far.example/federation/friends/recipes/1",
            kind="recipe",
            origin_actor="https://far.example/federation/friends",
            origin_name="Friends",
            domain="far.example",
            name="Far porridge",
            ingredients=["1 cup oats"],
            steps=["Stir."],
        )
        report = Report(
            community_id=world.public.id,
            direction="incoming",
            actor_id="https://far.example/federation/friends",
            domain="far.example",
            objects=[],
            comment="Secret complaint about publicville",
        )
        s.add_all([follower, item, report])
        s.flush()
        ids = {"follower": follower.id, "item": item.id, "report": report.id}
    return world, ids


def test_private_community_federation_api_is_hidden(client: TestClient, db: Database) -> None:
    world, _ = _seed(db)
    outsider = bearer(db, world.outsider)
    base = "/api/communities/privatehill/federation"
    assert client.get(base + "/requests", headers=outsider).status_code == 404
    assert client.get(base + "/reports", headers=outsider).status_code == 404
    assert client.get("/communities/privatehill/federation/events.ics").status_code == 404
    put = client.put(base + "/policy", json={"approve_followers": True}, headers=outsider)
    assert put.status_code == 404


def test_rows_of_another_community_answer_404(client: TestClient, db: Database) -> None:
    world, ids = _seed(db)
    # the private community's steward is a steward, but of another community
    other = bearer(db, world.private_steward)
    base = "/api/communities/privatehill/federation"
    assert (
        client.post(f"{base}/requests/{ids['follower']}/accept", headers=other).status_code == 404
    )
    assert (
        client.post(f"{base}/requests/{ids['follower']}/reject", headers=other).status_code == 404
    )
    decided = client.post(
        f"{base}/reports/{ids['report']}", json={"state": "dismissed"}, headers=other
    )
    assert decided.status_code == 404
    assert client.post(f"{base}/remote/{ids['item']}/adapt", headers=other).status_code == 404
    reported = client.post(f"{base}/reports", json={"item_id": ids["item"]}, headers=other)
    assert reported.status_code == 404
    with db.unit_of_work(write=False) as s:
        assert s.get(Follower, ids["follower"]).state == "pending"  # type: ignore[union-attr]
        assert s.get(Report, ids["report"]).state == "open"  # type: ignore[union-attr]
        assert s.query(Recipe).count() == 0
        assert s.query(Report).count() == 1


def test_only_stewards_see_requests_and_reports(client: TestClient, db: Database) -> None:
    world, ids = _seed(db)
    base = "/api/communities/publicville/federation"
    for person in (world.member, world.custodian, world.outsider):
        headers = bearer(db, person)
        assert client.get(base + "/requests", headers=headers).status_code == 403
        assert client.get(base + "/reports", headers=headers).status_code == 403
    steward = bearer(db, world.steward)
    assert [r["id"] for r in client.get(base + "/reports", headers=steward).json()] == [
        ids["report"]
    ]
    # the page shows neither to a member, both to a steward
    sign_in(client, db, world.member)
    page = client.get("/communities/publicville/federation").text
    assert "Secret complaint" not in page and "far.example/federation/friends</code>" not in page
    client.post(
        f"/communities/publicville/federation/reports/{ids['report']}",
        data=form({"state": "dismissed"}),
        follow_redirects=False,
    )
    with db.unit_of_work(write=False) as s:
        assert s.get(Report, ids["report"]).state == "open"  # type: ignore[union-attr]
    sign_in(client, db, world.steward)
    page = client.get("/communities/publicville/federation").text
    assert "Secret complaint" in page and 'data-follower="https://far.example' in page
    spanish = client.get("/communities/publicville/federation", headers={"accept-language": "es"})
    for words in ("Solicitudes de seguimiento", "Denuncias", "Adaptar a nuestro archivo"):
        assert words in spanish.text

"""Communities, members, invitations and places: outsiders see nothing private and change nothing;
members cannot do a steward's work."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.communities.models import Community, Invitation, Membership, Place
from commonpot.db import Database
from tests.factories.accounts import World, bearer, browser, form, make_world, sign_in


def snapshot(db: Database) -> tuple[object, ...]:
    """Everything the tenancy cases could change."""
    with db.unit_of_work(write=False) as s:
        return (
            s.scalar(select(func.count(Place.id))),
            s.scalar(select(func.count(Invitation.id))),
            tuple(s.execute(select(Membership.user_id, Membership.role).order_by(Membership.id))),
            tuple(s.execute(select(Community.name, Community.visibility).order_by(Community.id))),
        )


PRIVATE_READS = [
    "/api/communities/privatehill",
    "/api/communities/privatehill/places",
    "/api/communities/privatehill/members",
    "/api/communities/privatehill/invitations",
]
PRIVATE_PAGES = [
    "/communities/privatehill",
    "/communities/privatehill/places",
    "/communities/privatehill/members",
]


@pytest.mark.parametrize("path", PRIVATE_READS)
def test_outsider_and_anonymous_cannot_read_private_api(
    client: TestClient, db: Database, path: str
) -> None:
    world = make_world(db)
    assert client.get(path).status_code == 404
    assert client.get(path, headers=bearer(db, world.outsider)).status_code == 404
    assert client.get(path, headers=bearer(db, world.member)).status_code == 404  # other community


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_outsider_cannot_read_private_pages(client: TestClient, db: Database, path: str) -> None:
    world = make_world(db)
    anonymous = client.get(path)
    assert anonymous.status_code == 404
    assert "Private Kitchen" not in anonymous.text
    sign_in(client, db, world.outsider)
    page = client.get(path)
    assert page.status_code == 404
    assert "Private Kitchen" not in page.text and "Private Member" not in page.text


def test_private_community_missing_from_lists(client: TestClient, db: Database) -> None:
    world = make_world(db)
    assert "privatehill" not in client.get("/").text
    sign_in(client, db, world.outsider)
    assert "privatehill" not in client.get("/").text
    assert all(c["slug"] != "privatehill" for c in client.get("/api/communities").json())


def test_outsider_cannot_change_private_community(client: TestClient, db: Database) -> None:
    world = make_world(db)
    before = snapshot(db)
    headers = bearer(db, world.outsider)
    attempts = [
        ("post", "/api/communities/privatehill/places", {"name": "Mine", "lat": 1, "lon": 1}),
        ("patch", "/api/communities/privatehill", {"name": "Taken"}),
        ("post", "/api/communities/privatehill/invitations", {"role": "steward"}),
        (
            "put",
            f"/api/communities/privatehill/members/{world.outsider.id}/role",
            {"role": "steward"},
        ),
        ("delete", f"/api/communities/privatehill/members/{world.private_member.id}", None),
    ]
    for method, path, body in attempts:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.status_code)
    assert snapshot(db) == before


def test_outsider_cannot_write_to_public_community(client: TestClient, db: Database) -> None:
    world = make_world(db)
    before = snapshot(db)
    headers = bearer(db, world.outsider)
    response = client.post(
        "/api/communities/publicville/places",
        json={"name": "Mine", "lat": 1, "lon": 1},
        headers=headers,
    )
    assert response.status_code == 403
    anonymous = client.post(
        "/api/communities/publicville/places", json={"name": "Mine", "lat": 1, "lon": 1}
    )
    assert anonymous.status_code == 401
    assert client.get("/api/communities/publicville/members", headers=headers).status_code == 403
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/communities/publicville", {"visibility": "private"}),
        ("post", "/api/communities/publicville/invitations", {"role": "member"}),
        ("get", "/api/communities/publicville/invitations", None),
        ("put", "/api/communities/publicville/members/{member}/role", {"role": "steward"}),
        ("delete", "/api/communities/publicville/members/{custodian}", None),
        ("delete", "/api/communities/publicville/places/{place}", None),
        ("post", "/api/communities", {"slug": "mine", "name": "Mine"}),
    ],
)
def test_member_cannot_do_stewards_work(
    client: TestClient, db: Database, method: str, path: str, body: object
) -> None:
    world = make_world(db)
    with db.unit_of_work(write=False) as s:
        place_id = s.scalar(select(Place.id).where(Place.community_id == world.public.id))
    url = path.format(member=world.member.id, custodian=world.custodian.id, place=place_id)
    before = snapshot(db)
    response = client.request(method, url, json=body, headers=bearer(db, world.member))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert snapshot(db) == before


def test_member_cannot_edit_someone_elses_place(client: TestClient, db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work(write=False) as s:
        place_id = s.scalar(select(Place.id).where(Place.community_id == world.public.id))
    before = snapshot(db)
    response = client.patch(
        f"/api/communities/publicville/places/{place_id}",
        json={"name": "Renamed"},
        headers=bearer(db, world.member),
    )
    assert response.status_code == 403
    assert snapshot(db) == before


def test_web_forms_refuse_missing_csrf_and_outsiders(client: TestClient, db: Database) -> None:
    world = make_world(db)
    before = snapshot(db)
    sign_in(client, db, world.member)
    no_token = client.post(
        "/communities/publicville/places", data={"name": "X", "lat": "1", "lon": "1"}
    )
    assert no_token.status_code == 403
    assert "Reload the page" in no_token.text
    as_member = client.post("/communities/publicville/invitations", data=form({"role": "steward"}))
    assert as_member.status_code == 403
    sign_in(client, db, world.outsider)
    hidden = client.post(
        "/communities/privatehill/places", data=form({"name": "X", "lat": "1", "lon": "1"})
    )
    assert hidden.status_code == 404
    assert snapshot(db) == before


def test_invitation_cannot_join_someone_into_another_community(
    client: TestClient, db: Database
) -> None:
    world: World = make_world(db)
    steward = bearer(db, world.steward)
    made = client.post("/api/communities/publicville/invitations", json={}, headers=steward)
    token = made.json()["url"].rsplit("/", 1)[1]
    browser(client)
    response = client.post(
        f"/invite/{token}",
        data=form(
            {"email": "new@example.org", "display_name": "New", "password": "long enough pass"}
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    with db.unit_of_work(write=False) as s:
        joined = s.scalars(
            select(Community.slug)
            .join(Membership)
            .join(Membership.user)
            .where(Membership.user.has(email="new@example.org"))
        ).all()
    assert joined == ["publicville"]

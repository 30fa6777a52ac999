"""Nothing from a private community or a restricted recipe/event appears in federated output."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts import Viewer
from commonpot.db import Database
from commonpot.experiences import gatherings
from commonpot.federation import delivery, instance
from commonpot.federation.models import Activity, Delivery, DomainBlock, Follower, Following
from commonpot.settings import Settings
from tests.factories.accounts import form, sign_in
from tests.factories.events import make_event
from tests.factories.recipes import RecipeWorld, make_recipe_world

AP = {"accept": "application/activity+json"}


def _world(db: Database) -> tuple[RecipeWorld, int]:
    rw = make_recipe_world(db)
    with db.unit_of_work() as s:
        make_event(
            s, rw.world.public, rw.world.steward, title="Open harvest supper", visibility="public"
        )
        make_event(s, rw.world.public, rw.world.steward, title="Members-only planning")
        make_event(s, rw.world.private, rw.world.private_steward, title="Hill feast")
        s.add(
            Follower(
                community_id=rw.world.public.id,
                actor_id="https://far.example/federation/friends",
                inbox="https://far.example/federation/friends/inbox",
                shared_inbox="https://far.example/federation/inbox",
                domain="far.example",
            )
        )
        s.add(
            Follower(
                community_id=rw.world.private.id,
                actor_id="https://far.example/federation/friends",
                inbox="https://far.example/federation/friends/inbox",
                domain="far.example",
            )
        )
    return rw, rw.world.public.id


SECRET = ("sacred corn mush", "Hillside plum dumplings", "Members-only planning", "Hill feast")


def _no_secret(text: str) -> None:
    for word in SECRET:
        assert word not in text


def test_private_community_has_no_federated_presence(client: TestClient, db: Database) -> None:
    _world(db)
    assert client.get("/federation/privatehill", headers=AP).status_code == 404
    assert client.get("/federation/privatehill/outbox?page=1", headers=AP).status_code == 404
    assert client.get("/federation/privatehill/followers", headers=AP).status_code == 404
    found = client.get("/.well-known/webfinger", params={"resource": "acct:privatehill@testserver"})
    assert found.status_code == 404
    assert client.get("/federation/nobody", headers=AP).status_code == 404
    assert client.post("/federation/privatehill/inbox", content=b"{}").status_code == 404


def test_public_actor_webfinger_nodeinfo(client: TestClient, db: Database) -> None:
    _world(db)
    finger = client.get(
        "/.well-known/webfinger", params={"resource": "acct:publicville@testserver"}
    )
    assert finger.status_code == 200
    assert finger.headers["content-type"].startswith("application/jrd+json")
    self_link = next(x for x in finger.json()["links"] if x["rel"] == "self")
    assert self_link == {
        "rel": "self",
        "type": "application/activity+json",
        "href": "http://testserver/federation/publicville",
    }
    actor = client.get("/federation/publicville", headers=AP)
    assert actor.headers["content-type"].startswith("application/activity+json")
    doc = actor.json()
    assert "https://www.w3.org/ns/activitystreams" in doc["@context"]
    assert "https://w3id.org/security/v1" in doc["@context"]
    assert doc["type"] == "Group" and doc["preferredUsername"] == "publicville"
    for key in ("id", "name", "url", "inbox", "outbox", "followers"):
        assert doc[key]
    assert "summary" in doc
    assert doc["endpoints"]["sharedInbox"] == "http://testserver/federation/inbox"
    assert doc["publicKey"]["owner"] == doc["id"]
    key = load_pem_public_key(doc["publicKey"]["publicKeyPem"].encode())
    assert key.key_size >= 2048  # type: ignore[union-attr]
    ld = client.get(
        "/federation/publicville",
        headers={"accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'},
    )
    assert ld.json()["id"] == doc["id"]
    links = client.get("/.well-known/nodeinfo").json()["links"]
    info = client.get(links[0]["href"].replace("http://testserver", "")).json()
    assert info["software"]["name"] == "commonpot" and info["version"] == "2.1"
    _no_secret(json.dumps(doc))


def test_outbox_holds_only_shareable_things(client: TestClient, db: Database) -> None:
    rw, _ = _world(db)
    front = client.get("/federation/publicville/outbox", headers=AP).json()
    assert front["type"] == "OrderedCollection" and front["totalItems"] == 2
    page = client.get(front["first"].replace("http://testserver", ""), headers=AP).json()
    objects = [item["object"] for item in page["orderedItems"]]
    assert {o["name"] for o in objects} == {"Three sisters soup", "Open harvest supper"}
    assert all(item["type"] == "Create" for item in page["orderedItems"])
    recipe = next(o for o in objects if "Article" in o["type"])
    assert recipe["recipeIngredient"] and recipe["recipeInstructions"]
    assert recipe["attributedTo"] == "http://testserver/federation/publicville"
    event = next(o for o in objects if o["type"] == "Event")
    assert event["location"]["type"] == "Place" and event["startTime"] and event["endTime"]
    _no_secret(json.dumps(page))
    hidden = f"/federation/publicville/recipes/{rw.community_recipe}"
    assert client.get(hidden, headers=AP).status_code == 404
    assert (
        client.get(f"/federation/publicville/recipes/{rw.public_recipe}", headers=AP).status_code
        == 200
    )


def test_deliveries_carry_only_shareable_things(db: Database, settings: Settings) -> None:
    _world(db)
    fed = instance.context(settings)
    with db.unit_of_work() as s:
        made = delivery.fan_out(s, fed)
    with db.unit_of_work(write=False) as s:
        docs = [a.document for a in s.scalars(select(Activity)) if a.document]
        inboxes = s.scalars(select(Delivery.inbox)).all()
    assert made == 2  # the public recipe and the public event, once each to the shared inbox
    assert set(inboxes) == {"https://far.example/federation/inbox"}
    assert sorted(d["object"]["name"] for d in docs) == [
        "Open harvest supper",
        "Three sisters soup",
    ]
    _no_secret(json.dumps(docs))


def test_only_stewards_follow_and_block(client: TestClient, db: Database) -> None:
    rw, _ = _world(db)
    sign_in(client, db, rw.world.member)
    page = client.get("/communities/publicville/federation")
    assert page.status_code == 200 and "Follow a community" not in page.text
    client.post(
        "/communities/publicville/federation/follow", data=form({"handle": "@x@far.example"})
    )
    client.post("/communities/publicville/federation/block", data=form({"domain": "far.example"}))
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Following)).all() == []
        assert s.scalars(select(DomainBlock)).all() == []
        assert len(s.scalars(select(Follower)).all()) == 2
    sign_in(client, db, rw.world.steward)
    client.post("/communities/publicville/federation/block", data=form({"domain": "far.example"}))
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(DomainBlock)).all()) == 1
        # the public community's follower from far.example is gone; the other community's stays
        assert [f.community_id for f in s.scalars(select(Follower))] == [rw.world.private.id]


def test_private_community_page_is_hidden(client: TestClient, db: Database) -> None:
    rw, _ = _world(db)
    sign_in(client, db, rw.world.outsider)
    assert client.get("/communities/privatehill/federation").status_code == 404


def test_outbox_lists_only_announced_gatherings(
    client: TestClient, db: Database, settings: Settings
) -> None:
    rw, _ = _world(db)
    w = rw.world
    opened: dict[str, int] = {}
    with db.unit_of_work() as s:
        for key, community, host, recipe_id, title in (
            ("public", w.public, w.steward, rw.public_recipe, "Soup evening"),
            ("restricted", w.public, w.custodian, rw.community_recipe, "Corn circle"),
            ("private", w.private, w.private_steward, rw.private_recipe, "Plum night"),
        ):
            made = gatherings.open_gathering(
                s, community, Viewer(user=host), recipe_id, title=title, starts_at=None
            )
            opened[key] = made.id
    with db.unit_of_work() as s:
        delivery.fan_out(s, instance.context(settings))
    with db.unit_of_work(write=False) as s:
        announced = [
            a.document
            for a in s.scalars(select(Activity).where(Activity.kind == "gathering"))
            if a.document
        ]
        assert (
            s.scalars(select(Activity).where(Activity.community_id == w.private.id)).all() == []
        )  # a private community's gathering is not even queued
        rows_before = len(s.scalars(select(Activity)).all())
    assert [d["object"]["name"] for d in announced] == ["Soup evening"]

    page = client.get("/federation/publicville/outbox?page=1", headers=AP).json()
    listed = [i for i in page["orderedItems"] if i["object"]["type"] == "Event"]
    assert [i for i in listed if "gatheringOf" in i["object"]] == announced
    text = json.dumps(page)
    _no_secret(text)
    assert "Corn circle" not in text and "Plum night" not in text
    base = "/federation/{}/gatherings/{}"
    assert client.get(base.format("publicville", opened["public"]), headers=AP).status_code == 200
    for slug, key in (("publicville", "restricted"), ("privatehill", "private")):
        assert client.get(base.format(slug, opened[key]), headers=AP).status_code == 404
    for path in ("/federation/privatehill/outbox", "/federation/privatehill/outbox?page=1"):
        assert client.get(path, headers=AP).status_code == 404
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Activity)).all()) == rows_before  # reading changed nothing

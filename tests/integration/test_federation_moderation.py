"""Follower approval, reports (Flag) and adapting remote recipes, between two instances."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.db import utcnow
from commonpot.federation import service, sharing
from commonpot.federation.models import (
    Adaptation,
    DomainBlock,
    Follower,
    Following,
    RemoteItem,
    Report,
)
from commonpot.federation.signatures import sign_cavage
from commonpot.recipes import service as recipes_service
from commonpot.recipes.models import Recipe
from commonpot.recipes.schemas import RecipeIn, SectionIn
from tests.factories.accounts import (
    bearer,
    form,
    make_community,
    make_user,
    sign_in,
)
from tests.factories.federation import (
    FakeActor,
    Instance,
    Router,
    pair,
    second_database_urls,
    solo,
)

__all__ = ["pair", "second_database_urls", "solo"]
AP = {"accept": "application/activity+json"}


@dataclass
class People:
    a_steward: User
    a_member: User
    a_outsider: User
    b_steward: User
    b_member: User


def _people(a: Instance, b: Instance) -> People:
    with a.db.unit_of_work() as s:
        a_steward = make_user(s, "A steward")
        alpha = make_community(s, a_steward, slug="alpha")
        a_member = make_user(s, "A member")
        communities.add_member(s, alpha, a_member, "member")
        a_outsider = make_user(s, "A outsider")
    with b.db.unit_of_work() as s:
        b_steward = make_user(s, "B steward")
        beta = make_community(s, b_steward, slug="beta")
        b_member = make_user(s, "B member")
        communities.add_member(s, beta, b_member, "member")
    return People(a_steward, a_member, a_outsider, b_steward, b_member)


def _follow(a: Instance) -> None:
    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        steward = s.scalars(select(User).where(User.display_name == "A steward")).one()
        service.follow(s, a.fed, alpha, Viewer(user=steward), "@beta@b.test")
    a.deliver()


def _publish(b: Instance, name: str, **fields: Any) -> int:
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        steward = s.scalars(select(User).where(User.display_name == "B steward")).one()
        data = RecipeIn(
            name=name,
            description="From the river delta.",
            ingredients=["2 cups rice", "1 onion"],
            sections=[SectionIn(steps=["Wash the rice.", "Cook slowly."])],
            **fields,
        )
        return recipes_service.create_recipe(s, beta, Viewer(user=steward), data).id


def _following_state(a: Instance) -> str | None:
    with a.db.unit_of_work(write=False) as s:
        return s.scalar(select(Following.state))


def test_followers_wait_for_a_steward_who_accepts_them(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    people = _people(a, b)
    policy = "/api/communities/beta/federation/policy"
    member, steward = bearer(b.db, people.b_member), bearer(b.db, people.b_steward)
    assert b.http.put(policy, json={"approve_followers": True}, headers=member).status_code == 403
    answer = b.http.put(policy, json={"approve_followers": True}, headers=steward)
    assert answer.status_code == 200 and answer.json() == {"approve_followers": True}
    assert b.http.get("/federation/beta", headers=AP).json()["manuallyApprovesFollowers"] is True

    _follow(a)
    assert b.count(Follower, Follower.state == "pending") == 1
    b.deliver()  # no Accept yet: the follow waits
    assert _following_state(a) == "pending"
    _publish(b, "Jollof rice")
    b.deliver()
    assert a.count(RemoteItem) == 0  # a waiting follower receives nothing
    assert b.http.get("/federation/beta/followers", headers=AP).json()["totalItems"] == 0

    requests = "/api/communities/beta/federation/requests"
    assert b.http.get(requests).status_code == 401
    assert b.http.get(requests, headers=member).status_code == 403
    waiting = b.http.get(requests, headers=steward).json()
    assert [(r["actor_id"], r["state"]) for r in waiting] == [
        ("http://a.test/federation/alpha", "pending")
    ]
    accept = f"{requests}/{waiting[0]['id']}/accept"
    assert b.http.post(accept, headers=member).status_code == 403
    assert b.count(Follower, Follower.state == "pending") == 1
    answer = b.http.post(accept, headers=steward)
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"
    assert b.http.post(accept, headers=steward).status_code == 409

    b.deliver()  # the Accept reaches a
    assert _following_state(a) == "accepted"
    _publish(b, "Pepper soup")
    b.deliver()
    with a.db.unit_of_work(write=False) as s:
        assert s.scalars(select(RemoteItem.name)).all() == ["Pepper soup"]


def test_a_steward_rejects_a_request_on_the_page(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    people = _people(a, b)
    b.http.put(
        "/api/communities/beta/federation/policy",
        json={"approve_followers": True},
        headers=bearer(b.db, people.b_steward),
    )
    _follow(a)
    with b.db.unit_of_work(write=False) as s:
        follower_id = s.scalars(select(Follower.id)).one()
    reject = f"/communities/beta/federation/requests/{follower_id}/reject"

    sign_in(b.http, b.db, people.b_member)
    assert 'data-follower="' not in b.http.get("/communities/beta/federation").text
    b.http.post(reject, data=form({}), follow_redirects=False)
    assert b.count(Follower) == 1  # a member cannot answer follow requests

    sign_in(b.http, b.db, people.b_steward)
    page = b.http.get("/communities/beta/federation")
    assert 'data-follower="http://a.test/federation/alpha"' in page.text
    answer = b.http.post(reject, data=form({}), follow_redirects=False)
    assert answer.status_code == 303
    assert b.count(Follower) == 0
    b.deliver()  # the Reject reaches a, which forgets the follow
    assert a.count(Following) == 0


def test_reports_travel_as_flags_and_stewards_act_on_them(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    people = _people(a, b)
    _follow(a)
    b.deliver()
    recipe_id = _publish(b, "Suspicious stew")
    b.deliver()
    with a.db.unit_of_work(write=False) as s:
        item_id = s.scalars(select(RemoteItem.id)).one()

    reports = "/api/communities/alpha/federation/reports"
    body = {"item_id": item_id, "comment": "<b>Spam</b> link in the steps"}
    assert (
        a.http.post(reports, json=body, headers=bearer(a.db, people.a_outsider)).status_code == 403
    )
    answer = a.http.post(reports, json=body, headers=bearer(a.db, people.a_member))
    assert answer.status_code == 201, answer.text
    sent = answer.json()
    assert (sent["direction"], sent["domain"], sent["state"]) == ("outgoing", "b.test", "open")
    assert a.deliver().delivered == 1  # the Flag

    # b keeps the Flag for beta's stewards, naming the reported recipe
    with b.db.unit_of_work(write=False) as s:
        got = s.scalars(select(Report)).one()
        assert got.direction == "incoming" and got.actor_id == "http://a.test/federation/alpha"
        assert got.objects == [
            "http://b.test/federation/beta",
            f"http://b.test/federation/beta/recipes/{recipe_id}",
        ]
        assert got.comment == "Spam link in the steps"
    b_reports = "/api/communities/beta/federation/reports"
    assert b.http.get(b_reports, headers=bearer(b.db, people.b_member)).status_code == 403
    listed = b.http.get(b_reports, headers=bearer(b.db, people.b_steward)).json()
    assert [r["direction"] for r in listed] == ["incoming"]
    decided = b.http.post(
        f"{b_reports}/{listed[0]['id']}",
        json={"state": "dismissed"},
        headers=bearer(b.db, people.b_steward),
    )
    assert decided.status_code == 200 and decided.json()["state"] == "dismissed"

    # a's steward resolves the outgoing report: removes the item and blocks the domain
    decide = f"{reports}/{sent['id']}"
    choice = {"state": "resolved", "remove_content": True, "block_domain": True}
    assert (
        a.http.post(decide, json=choice, headers=bearer(a.db, people.a_member)).status_code == 403
    )
    assert a.count(RemoteItem) == 1
    done = a.http.post(decide, json=choice, headers=bearer(a.db, people.a_steward))
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    assert a.count(RemoteItem) == 0
    assert a.count(DomainBlock, DomainBlock.domain == "b.test") == 1
    again = a.http.post(decide, json=choice, headers=bearer(a.db, people.a_steward))
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


def test_a_mastodon_flag_reaches_the_stewards(solo: tuple[Instance, Router]) -> None:
    b, router = solo
    with b.db.unit_of_work() as s:
        make_community(s, make_user(s, "B steward"), slug="beta")
        make_community(s, make_user(s, "C steward"), slug="hidden", visibility="private")
    # Mastodon sends reports from its instance actor, naming the account and the statuses
    moderator = FakeActor("mastodon.test", "mastodon.test")
    router.handlers["mastodon.test"] = moderator.serve
    flag = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://mastodon.test/0f3a9b6e-5d1c-4c59-9d2b-7c1e3a0b9f11",
        "type": "Flag",
        "actor": moderator.id,
        "content": "Not a recipe",
        "object": [
            "http://b.test/federation/beta",
            "http://b.test/federation/beta/recipes/7",
            "http://b.test/federation/hidden",
        ],
    }
    body = json.dumps(flag).encode()
    inbox = "http://b.test/federation/inbox"
    headers = sign_cavage("POST", inbox, body, moderator.key_id, moderator.key, utcnow())
    headers["content-type"] = "application/activity+json"
    answer = b.http.post("/federation/inbox", content=body, headers=headers)
    assert answer.status_code == 202 and answer.json() == {"status": "reported"}
    again = b.http.post("/federation/inbox", content=body, headers=headers)  # delivered twice
    assert again.status_code == 202 and again.json() == {"status": "ignored"}
    with b.db.unit_of_work(write=False) as s:
        row = s.scalars(select(Report)).one()  # the private community gets nothing
        assert row.objects == [
            "http://b.test/federation/beta",
            "http://b.test/federation/beta/recipes/7",
        ]
        assert (row.domain, row.comment, row.state) == ("mastodon.test", "Not a recipe", "open")


def test_a_member_adapts_a_remote_recipe_with_lineage(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    people = _people(a, b)
    _follow(a)
    b.deliver()
    _publish(b, "Delta jollof", labels=["TK A"])
    b.deliver()
    with a.db.unit_of_work(write=False) as s:
        item = s.scalars(select(RemoteItem)).one()
        item_id, object_id = item.id, item.object_id
        assert item.steps == ["Wash the rice.", "Cook slowly."]
        assert item.summary == "From the river delta."

    url = f"/api/communities/alpha/federation/remote/{item_id}/adapt"
    assert a.http.post(url, headers=bearer(a.db, people.a_outsider)).status_code == 403
    # its protocol labels travel with it, and labels are set by keepers: a member may not
    refused = a.http.post(url, headers=bearer(a.db, people.a_member))
    assert refused.status_code == 403 and "protocol labels" in refused.json()["detail"]
    assert a.count(Recipe) == 0
    answer = a.http.post(url, headers=bearer(a.db, people.a_steward))
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["object_id"] == object_id
    assert made["origin_actor"] == "http://b.test/federation/beta"
    assert a.http.post(url, headers=bearer(a.db, people.a_steward)).status_code == 409
    with a.db.unit_of_work(write=False) as s:
        recipe = s.get(Recipe, made["recipe_id"])
        assert recipe is not None
        assert recipe.name == "Delta jollof" and recipe.labels == ["TK A"]  # protocol travels
        assert recipe.created_by_id == people.a_steward.id
        assert "b.test" in recipe.credit_text and recipe.source_url
        assert [i.line for i in recipe.ingredients] == ["2 cups rice", "1 onion"]
        assert recipe.steps[0]["steps"] == ["Wash the rice.", "Cook slowly."]
        assert [p.place for p in recipe.lineage] == ["b.test"]
        assert s.scalars(select(Adaptation.recipe_id)).one() == recipe.id
    # a's adaptation, when it federates, names the remote original it is based on
    shared = a.http.get(f"/federation/alpha/recipes/{made['recipe_id']}", headers=AP).json()
    assert shared["isBasedOn"] == object_id
    assert "schema:isBasedOn" in str(shared["@context"])

    # a member adapts an unlabelled recipe
    _publish(b, "Plain rice")
    b.deliver()
    with a.db.unit_of_work(write=False) as s:
        plain_id = s.scalars(select(RemoteItem.id).where(RemoteItem.name == "Plain rice")).one()
    plain = a.http.post(
        f"/api/communities/alpha/federation/remote/{plain_id}/adapt",
        headers=bearer(a.db, people.a_member),
    )
    assert plain.status_code == 201
    with a.db.unit_of_work(write=False) as s:
        adapted = s.get(Recipe, plain.json()["recipe_id"])
        assert adapted is not None and adapted.created_by_id == people.a_member.id

    # a licence that allows no derivatives refuses, and nothing is stored
    _publish(b, "Closed recipe")
    b.deliver()
    with a.db.unit_of_work() as s:
        closed = s.scalars(select(RemoteItem).where(RemoteItem.name == "Closed recipe")).one()
        closed_id = closed.id
        s.execute(
            update(RemoteItem)
            .where(RemoteItem.id == closed_id)
            .values(license="https://creativecommons.org/licenses/by-nd/4.0/")
        )
    refused = a.http.post(
        f"/api/communities/alpha/federation/remote/{closed_id}/adapt",
        headers=bearer(a.db, people.a_member),
    )
    assert refused.status_code == 403
    assert a.count(Adaptation) == 2
    assert a.count(Recipe, Recipe.name == "Closed recipe") == 0

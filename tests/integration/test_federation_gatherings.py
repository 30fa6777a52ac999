"""Live gatherings across instances: a gathering of a public recipe is announced to the
community's followers (a signed Create of an online Event, delivered by the delivery job)
and shown there with a join link; a member joins vouched for by their community (a signed
Join answered with a guest pass) and shows by name, anyone else as an anonymous guest.
Gatherings of community-only or protocol-restricted recipes never leave and 404 outside."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.experiences import gatherings
from commonpot.experiences.models import Gathering, GatheringPresence
from commonpot.federation import sharing
from commonpot.federation.models import Activity, Delivery, RemoteItem
from commonpot.federation.signatures import sign_cavage
from commonpot.recipes import service as recipes_service
from tests.factories.accounts import browser, csrf_headers, form, make_community, make_user
from tests.factories.accounts import sign_in as sign_in_client
from tests.factories.federation import (
    FakeActor,
    Instance,
    Router,
    pair,
    second_database_urls,
)
from tests.integration.test_federation_instances import _recipe

__all__ = ["pair", "second_database_urls"]

ORIGIN = "http://b.test/communities/beta/gatherings"


def _setup(a: Instance, b: Instance) -> dict[str, Any]:
    """alpha (a.test, with a member) follows beta (b.test), which has three kinds of recipe."""
    with a.db.unit_of_work() as s:
        steward = make_user(s, "A steward")
        make_community(s, steward, slug="alpha")
        member = make_user(s, "Ana Flores")
        alpha = sharing.public_community(s, "alpha")
        from commonpot import communities

        communities.add_member(s, alpha, member)
        ids: dict[str, Any] = {"a_member": member.id, "a_steward": steward.id}
    with b.db.unit_of_work() as s:
        steward = make_user(s, "B steward")
        beta = make_community(s, steward, slug="beta")
        viewer = Viewer(user=steward)
        ids["public"] = recipes_service.create_recipe(s, beta, viewer, _recipe("Jollof rice")).id
        ids["community"] = recipes_service.create_recipe(
            s, beta, viewer, _recipe("Kitchen only", reach="community")
        ).id
        ids["restricted"] = recipes_service.create_recipe(
            s, beta, viewer, _recipe("Ceremony bread", labels=["TK SS"])
        ).id
        ids["b_steward"] = steward.id
    from commonpot.accounts.service import OPERATOR
    from commonpot.federation import service

    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        service.follow(s, a.fed, alpha, OPERATOR, "@beta@b.test")
    a.deliver()  # Follow -> b
    b.deliver()  # Accept -> a; the recipes that may leave follow
    return ids


def _open(b: Instance, steward_id: int, recipe_id: int, title: str) -> int:
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        steward = s.get(User, steward_id)
        found = gatherings.open_gathering(
            s, beta, Viewer(user=steward), recipe_id, title=title, starts_at=None
        )
        return found.id


def _sent(b: Instance) -> list[dict[str, Any]]:
    with b.db.unit_of_work(write=False) as s:
        rows = s.scalars(select(Activity).order_by(Activity.id)).all()
        return [r.document for r in rows if r.document]


def test_a_public_recipes_gathering_is_announced_and_joined_by_a_vouched_member(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    ids = _setup(a, b)
    before = b.count(Delivery)
    gathering_id = _open(b, ids["b_steward"], ids["public"], "Jollof evening")
    report = b.deliver()
    assert report.delivered == 1, report
    assert b.count(Delivery) == before + 1  # one signed POST, to alpha's (shared) inbox
    create = _sent(b)[-1]
    assert create["type"] == "Create"
    obj = create["object"]
    assert obj["type"] == "Event" and obj["isOnline"] is True
    assert obj["id"] == f"http://b.test/federation/beta/gatherings/{gathering_id}"
    assert obj["url"] == f"{ORIGIN}/{gathering_id}"
    assert obj["gatheringOf"] == f"http://b.test/federation/beta/recipes/{ids['public']}"
    assert obj["guestPasses"] == obj["id"] + "/guests"
    with a.db.unit_of_work(write=False) as s:
        item = s.scalars(select(RemoteItem)).all()
        shown = [i for i in item if i.kind == "gathering"]
        assert [(i.name, i.url) for i in shown] == [("Jollof evening", obj["url"])]
        item_id = shown[0].id
    # the follower community sees it in its calendar and on its page, with a join link
    ics = a.http.get("/communities/alpha/federation/events.ics").text
    assert "Jollof evening" in ics and f"gatherings/{gathering_id}" in ics.replace("\r\n ", "")
    page = a.http.get("/communities/alpha/federation").text
    assert "Jollof evening" in page and "Live gathering" in page and "Join this gathering" in page

    # a member joins: alpha vouches (a signed Join), beta answers with a pass in their name
    member = a.http
    with a.db.unit_of_work(write=False) as s:
        ana = s.get(User, ids["a_member"])
    sign_in_client(member, a.db, ana)  # type: ignore[arg-type]
    joined = member.post(
        f"/communities/alpha/federation/remote/{item_id}/join",
        data=form({}),
        follow_redirects=False,
    )
    assert joined.status_code == 303
    where = joined.headers["location"]
    assert where.startswith(f"{ORIGIN}/{gathering_id}?guest=")
    guest_pass = parse_qs(urlsplit(where).query)["guest"][0]
    visitor = browser(b.http)
    visitor.cookies.clear()
    browser(visitor)
    there = visitor.get(urlsplit(where).path, params={"guest": guest_pass})
    assert there.status_code == 200
    assert "Ana Flores · @alpha@a.test" in there.text
    url = f"/communities/beta/gatherings/{gathering_id}/presence"
    named = visitor.post(
        url, json={"client": "ana-page", "guest_pass": guest_pass}, headers=csrf_headers()
    )
    assert named.json() == {"count": 1, "guests": ["Ana Flores · @alpha@a.test"], "anonymous": 0}
    # without a pass, or with a forged one, a visitor is an anonymous guest
    forged = guest_pass[:-3] + ("AAA" if not guest_pass.endswith("AAA") else "BBB")
    for client_id, token in (("plain-page", None), ("forged-page", forged)):
        answer = visitor.post(
            url, json={"client": client_id, "guest_pass": token}, headers=csrf_headers()
        )
        assert answer.status_code == 200
    final = visitor.post(url, json={"client": "plain-page"}, headers=csrf_headers()).json()
    assert final == {"count": 3, "guests": ["Ana Flores · @alpha@a.test"], "anonymous": 2}
    with b.db.unit_of_work(write=False) as s:
        guests = s.scalars(select(GatheringPresence.guest).order_by(GatheringPresence.id)).all()
    assert guests == ["Ana Flores · @alpha@a.test", None, None]
    # someone on a.test who is not alpha's member goes along, but nobody vouches for them
    with a.db.unit_of_work() as s:
        stranger = make_user(s, "Stranger")
    sign_in_client(member, a.db, stranger)
    plain = member.post(
        f"/communities/alpha/federation/remote/{item_id}/join",
        data=form({}),
        follow_redirects=False,
    )
    assert plain.headers["location"] == f"{ORIGIN}/{gathering_id}"

    # the host ends it: the announcement is taken back, the follower forgets it
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        steward = s.get(User, ids["b_steward"])
        gatherings.close(s, beta, Viewer(user=steward), gathering_id)
    assert b.deliver().delivered == 1
    assert _sent(b)[-1]["type"] == "Delete"
    assert a.count(RemoteItem, RemoteItem.kind == "gathering") == 0


def test_moving_through_the_story_announces_nothing_more(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    ids = _setup(a, b)
    gathering_id = _open(b, ids["b_steward"], ids["public"], "Jollof evening")
    assert b.deliver().delivered == 1
    sent = len(_sent(b))
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        steward = s.get(User, ids["b_steward"])
        gatherings.lead(
            s,
            beta,
            Viewer(user=steward),
            gathering_id,
            gatherings.Lead(1, 0.0, False),
            [gatherings.ChapterVoice(None)] * 3,
        )
    assert b.deliver().delivered == 0
    assert len(_sent(b)) == sent


def test_gatherings_that_may_not_leave_are_never_announced_nor_joinable(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, router = pair
    ids = _setup(a, b)
    sent = len(_sent(b))
    deliveries = b.count(Delivery)
    kept = [
        _open(b, ids["b_steward"], ids["community"], "Members' supper"),
        _open(b, ids["b_steward"], ids["restricted"], "Ceremony"),
    ]
    report = b.deliver()
    assert (report.fanned_out, report.delivered) == (0, 0)
    assert b.count(Delivery) == deliveries and len(_sent(b)) == sent
    assert a.count(RemoteItem, RemoteItem.kind == "gathering") == 0
    # the join link and the object answer 404 to a non-member, as if there were none
    outsider = browser(b.http)
    outsider.cookies.clear()
    for gathering_id in kept:
        assert outsider.get(f"{ORIGIN}/{gathering_id}").status_code == 404
        assert outsider.get(f"{ORIGIN}/{gathering_id}/live").status_code == 404
        obj = outsider.get(
            f"/federation/beta/gatherings/{gathering_id}",
            headers={"accept": "application/activity+json"},
        )
        assert obj.status_code == 404
    # even a correctly signed Join from another instance gets no pass: 404
    remote = FakeActor("c.test", "gamma")
    router.handlers["c.test"] = remote.serve
    for gathering_id in kept:
        endpoint = f"http://b.test/federation/beta/gatherings/{gathering_id}/guests"
        body = json.dumps(
            {
                "type": "Join",
                "actor": remote.id,
                "object": f"http://b.test/federation/beta/gatherings/{gathering_id}",
                "visitor": {"name": "Mallory"},
            }
        ).encode()
        headers = {"content-type": "application/activity+json"}
        headers.update(
            sign_cavage("POST", endpoint, body, remote.key_id, remote.key, datetime.now(UTC))
        )
        assert b.http.post(endpoint, content=body, headers=headers).status_code == 404
    with b.db.unit_of_work(write=False) as s:
        assert s.scalars(select(GatheringPresence)).all() == []
        assert len(s.scalars(select(Gathering)).all()) == 2


def test_a_guest_pass_needs_a_valid_signature_of_the_vouching_community(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, router = pair
    ids = _setup(a, b)
    gathering_id = _open(b, ids["b_steward"], ids["public"], "Jollof evening")
    object_id = f"http://b.test/federation/beta/gatherings/{gathering_id}"
    endpoint = object_id + "/guests"
    remote = FakeActor("c.test", "gamma")
    impostor = FakeActor("d.test", "delta", key_index=7)
    router.handlers["c.test"] = remote.serve
    router.handlers["d.test"] = impostor.serve

    def ask(actor: FakeActor, signer: FakeActor | None, **changes: Any) -> Any:
        doc = {"type": "Join", "actor": actor.id, "object": object_id, "visitor": {"name": "Gus"}}
        body = json.dumps(doc | changes).encode()
        headers = {"content-type": "application/activity+json"}
        if signer is not None:
            headers.update(
                sign_cavage("POST", endpoint, body, signer.key_id, signer.key, datetime.now(UTC))
            )
        return b.http.post(endpoint, content=body, headers=headers)

    assert ask(remote, None).status_code == 401  # unsigned
    assert ask(remote, impostor).status_code == 401  # signed with another actor's key
    bad = ask(remote, remote, object="http://b.test/federation/beta/gatherings/999")
    assert bad.status_code == 422
    assert ask(remote, remote, visitor={"name": "  "}).status_code == 422
    granted = ask(remote, remote, visitor={"name": "<b>Gus</b> the cook"})
    assert granted.status_code == 201, granted.text
    answer = granted.json()
    assert answer["guest"] == "Gus the cook · @gamma@c.test"
    assert answer["url"].startswith(f"{ORIGIN}/{gathering_id}?guest=")
    # a pass is for its gathering only
    other = _open(b, ids["b_steward"], ids["public"], "Second evening")
    token = parse_qs(urlsplit(answer["url"]).query)["guest"][0]
    visitor = browser(b.http)
    visitor.cookies.clear()
    browser(visitor)
    elsewhere = visitor.post(
        f"/communities/beta/gatherings/{other}/presence",
        json={"client": "gus", "guest_pass": token},
        headers=csrf_headers(),
    )
    assert elsewhere.json() == {"count": 1, "guests": [], "anonymous": 1}

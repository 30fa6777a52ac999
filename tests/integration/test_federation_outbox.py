"""The outbox lists a community's gathering announcements exactly as they were delivered
(Create, then Update and Delete as the gathering changes and ends), in the same newest-first
pages as its recipes and events; a gathering whose recipe may not leave never shows there."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, select, update

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.db import utcnow
from commonpot.experiences import gatherings
from commonpot.experiences.models import Gathering
from commonpot.federation import delivery, sharing
from commonpot.federation.models import Activity, Adaptation, Follower
from commonpot.recipes import service as recipes_service
from tests.factories.accounts import make_community, make_user
from tests.factories.federation import FakeActor, Instance, Router, solo
from tests.integration.test_federation_instances import _recipe

__all__ = ["solo"]

AP = {"accept": "application/activity+json"}
ACTOR = "http://b.test/federation/beta"


def _beta(b: Instance, router: Router) -> tuple[FakeActor, int]:
    """beta on b.test, followed by a remote group whose inbox keeps every body it is sent."""
    far = FakeActor("far.test", "friends")
    router.handlers["far.test"] = far.serve
    with b.db.unit_of_work() as s:
        steward = make_user(s, "B steward")
        beta = make_community(s, steward, slug="beta")
        s.add(
            Follower(
                community_id=beta.id,
                actor_id=far.id,
                inbox=far.id + "/inbox",
                shared_inbox="http://far.test/inbox",
                domain="far.test",
            )
        )
        return far, steward.id


def _steward(s: Any, steward_id: int) -> Viewer:
    return Viewer(user=s.get(User, steward_id))


def _add_recipe(b: Instance, steward_id: int, name: str, **fields: Any) -> int:
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        made = recipes_service.create_recipe(
            s, beta, _steward(s, steward_id), _recipe(name, **fields)
        )
        return made.id


def _edit_recipe(b: Instance, steward_id: int, recipe_id: int, name: str, **fields: Any) -> None:
    """The steward rewrites the recipe (a new name, or labels that keep it home)."""
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        recipes_service.update_recipe(
            s, beta, _steward(s, steward_id), recipe_id, _recipe(name, **fields)
        )


def _open(b: Instance, steward_id: int, recipe_id: int, title: str) -> int:
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        found = gatherings.open_gathering(
            s, beta, _steward(s, steward_id), recipe_id, title=title, starts_at=None
        )
        return found.id


def _pages(b: Instance, slug: str = "beta") -> tuple[dict[str, Any], list[list[dict[str, Any]]]]:
    """The outbox's front page and every page's items, following `next`."""
    front = b.http.get(f"/federation/{slug}/outbox", headers=AP)
    assert front.status_code == 200, front.text
    pages: list[list[dict[str, Any]]] = []
    url: str | None = front.json()["first"]
    while url is not None:
        page = b.http.get(url.replace("http://b.test", ""), headers=AP).json()
        assert page["type"] == "OrderedCollectionPage"
        pages.append(page["orderedItems"])
        url = page.get("next")
    return front.json(), pages


def _gathering_items(items: list[dict[str, Any]], gathering_id: int) -> list[dict[str, Any]]:
    object_id = f"{ACTOR}/gatherings/{gathering_id}"
    return [i for i in items if isinstance(i["object"], dict) and i["object"]["id"] == object_id]


def test_the_outbox_lists_a_gatherings_announcements_exactly_as_delivered(
    solo: tuple[Instance, Router],
) -> None:
    b, router = solo
    far, steward_id = _beta(b, router)
    recipe_id = _add_recipe(b, steward_id, "Jollof rice")
    b.deliver()
    assert [d["object"]["name"] for d in far.received] == ["Jollof rice"]
    _front, pages = _pages(b)
    assert [len(p) for p in pages] == [1]  # the recipe only: nothing was announced yet

    gathering_id = _open(b, steward_id, recipe_id, "Jollof evening")
    assert b.deliver().delivered == 1
    create = far.received[-1]
    assert create["type"] == "Create" and create["object"]["type"] == "Event"
    front, pages = _pages(b)
    assert front["totalItems"] == 2 and len(pages) == 1
    newest = pages[0][0]
    assert newest == create  # the very JSON the follower was sent
    assert newest["type"] == "Create" and newest["actor"] == ACTOR
    assert newest["id"] == create["id"] and newest["id"].startswith("http://b.test/federation/")
    obj = newest["object"]
    assert obj["type"] == "Event" and obj["name"] == "Jollof evening"
    assert obj["gatheringOf"] == f"{ACTOR}/recipes/{recipe_id}"
    assert obj["guestPasses"] == f"{ACTOR}/gatherings/{gathering_id}/guests"
    assert pages[0][1]["object"]["name"] == "Jollof rice"  # older, below it

    # the recipe is renamed: the gathering's object changes, and its Update is listed as sent
    _edit_recipe(b, steward_id, recipe_id, "Smoky jollof rice")
    b.deliver()
    sent_update = next(
        d for d in far.received if d["type"] == "Update" and d["object"]["type"] == "Event"
    )
    assert "Smoky jollof rice" in sent_update["object"]["content"]
    # the host ends it: the Delete the followers got is listed too, newest first
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        gatherings.close(s, beta, _steward(s, steward_id), gathering_id)
    assert b.deliver().delivered == 1
    sent_delete = far.received[-1]
    assert sent_delete["type"] == "Delete"
    assert sent_delete["object"]["id"] == obj["id"]
    front, pages = _pages(b)
    items = [item for page in pages for item in page]
    assert _gathering_items(items, gathering_id) == [sent_delete, sent_update, create]
    assert front["totalItems"] == len(items) == 4  # and the recipe's Create
    # the ended gathering's object itself is gone, as when it was taken back
    answer = b.http.get(f"/federation/beta/gatherings/{gathering_id}", headers=AP)
    assert answer.status_code == 404

    # months later the delivery log is pruned, but what the outbox lists is kept
    with b.db.unit_of_work() as s:
        s.execute(update(Gathering).values(created_at=utcnow() - timedelta(days=91)))
        s.execute(update(Activity).values(created_at=utcnow() - timedelta(days=90)))
        delivery.prune(s, utcnow())
    with b.db.unit_of_work(write=False) as s:
        kept = s.scalars(select(Activity.verb).order_by(Activity.id)).all()
    assert kept == ["Create", "Update", "Delete"]  # the recipe's own activities are gone
    _front, later = _pages(b)
    assert _gathering_items(later[0], gathering_id) == [sent_delete, sent_update, create]


def test_gathering_announcements_take_their_place_in_the_pages(
    solo: tuple[Instance, Router],
) -> None:
    b, router = solo
    far, steward_id = _beta(b, router)
    older = [_add_recipe(b, steward_id, f"Old dish {n}") for n in range(5)]
    gathering_id = _open(b, steward_id, older[0], "Old dish evening")
    for n in range(20):
        _add_recipe(b, steward_id, f"New dish {n}")
    b.deliver()
    create = next(d for d in far.received if d["object"]["type"] == "Event")
    front, pages = _pages(b)
    assert front["totalItems"] == 26
    assert [len(p) for p in pages] == [20, 6]
    names = [[i["object"]["name"] for i in page] for page in pages]
    assert names[0] == [f"New dish {n}" for n in reversed(range(20))]
    assert pages[1][0] == create  # after the twenty newer recipes, before the five older
    assert names[1][1:] == [f"Old dish {n}" for n in reversed(range(5))]
    assert _gathering_items(pages[0], gathering_id) == []


def test_a_gathering_of_a_recipe_that_may_not_leave_never_shows(
    solo: tuple[Instance, Router],
) -> None:
    b, router = solo
    far, steward_id = _beta(b, router)
    public = _add_recipe(b, steward_id, "Jollof rice")
    restricted = _add_recipe(b, steward_id, "Ceremony bread", labels=["TK SS"])
    kitchen = _add_recipe(b, steward_id, "Kitchen only", reach="community")
    hidden = [
        _open(b, steward_id, restricted, "Ceremony circle"),
        _open(b, steward_id, kitchen, "Members' supper"),
    ]
    later = _open(b, steward_id, public, "Jollof evening")
    b.deliver()
    sent = [d["object"]["name"] for d in far.received]
    assert sorted(sent) == ["Jollof evening", "Jollof rice"]
    _front, pages = _pages(b)
    text = json.dumps(pages)
    for gathering_id in hidden:
        assert _gathering_items(pages[0], gathering_id) == []
        answer = b.http.get(f"/federation/beta/gatherings/{gathering_id}", headers=AP)
        assert answer.status_code == 404
    for word in ("Ceremony", "Members' supper", "Kitchen only"):
        assert word not in text
    assert len(_gathering_items(pages[0], later)) == 1

    # the public recipe is put under a protocol that keeps it home: its gathering is taken
    # back from the followers, and nothing of it stays in the outbox, not even the Delete
    _edit_recipe(b, steward_id, public, "Jollof rice", labels=["TK SS"])
    b.deliver()
    assert {d["type"] for d in far.received[-2:]} == {"Delete"}
    front, pages = _pages(b)
    assert front["totalItems"] == 0 and pages == [[]]
    assert b.http.get(f"/federation/beta/gatherings/{later}", headers=AP).status_code == 404
    with b.db.unit_of_work(write=False) as s:
        verbs = s.scalars(select(Activity.verb).where(Activity.kind == "gathering")).all()
    assert sorted(verbs) == ["Create", "Delete", "change", "change"]  # kept, never listed


def test_a_deleted_recipes_gatherings_leave_the_outbox_and_the_log(
    solo: tuple[Instance, Router],
) -> None:
    b, router = solo
    far, steward_id = _beta(b, router)
    recipe_id = _add_recipe(b, steward_id, "Jollof rice")
    kept_id = _add_recipe(b, steward_id, "Pepper soup")
    gone = _open(b, steward_id, recipe_id, "Jollof evening")
    stays = _open(b, steward_id, kept_id, "Soup evening")
    b.deliver()
    assert len(far.received) == 4
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        recipes_service.delete_recipe(s, beta, _steward(s, steward_id), recipe_id)
    b.deliver()
    taken_back = {(d["type"], d["object"]["id"]) for d in far.received[4:]}
    assert taken_back == {  # the gathering is taken back with its recipe
        ("Delete", f"{ACTOR}/recipes/{recipe_id}"),
        ("Delete", f"{ACTOR}/gatherings/{gone}"),
    }
    _front, pages = _pages(b)
    assert _gathering_items(pages[0], gone) == []
    assert len(_gathering_items(pages[0], stays)) == 1
    assert "Jollof" not in json.dumps(pages)
    with b.db.unit_of_work() as s:
        s.execute(update(Gathering).values(created_at=utcnow() - timedelta(days=91)))
        s.execute(update(Activity).values(created_at=utcnow() - timedelta(days=90)))
        delivery.prune(s, utcnow())
    with b.db.unit_of_work(write=False) as s:
        left = s.execute(select(Activity.kind, Activity.local_id, Activity.verb)).all()
    assert [tuple(r) for r in left] == [("gathering", stays, "Create")]


def _resolve(b: Instance, activity_id: str) -> Any:
    """GET a delivered activity's id on b.test: (status, JSON body)."""
    assert activity_id.startswith("http://b.test/federation/activities/")
    answer = b.http.get(activity_id.replace("http://b.test", ""), headers=AP)
    return answer.status_code, answer.json(), answer.headers["content-type"]


def test_delivered_activity_ids_resolve_while_what_they_say_may_be_shown(
    solo: tuple[Instance, Router],
) -> None:
    b, router = solo
    far, steward_id = _beta(b, router)
    recipe_id = _add_recipe(b, steward_id, "Jollof rice")
    b.deliver()
    created = far.received[-1]
    status, body, media = _resolve(b, created["id"])
    assert (status, body) == (200, created)  # the very JSON the follower got
    assert media.startswith("application/activity+json")
    gathering_id = _open(b, steward_id, recipe_id, "Jollof evening")
    b.deliver()
    announced = far.received[-1]
    assert _resolve(b, announced["id"])[:2] == (200, announced)

    # renamed: the recipe's Update is now its last word, and the Create it replaces is gone
    _edit_recipe(b, steward_id, recipe_id, "Smoky jollof rice")
    b.deliver()
    updates = [d for d in far.received if d["type"] == "Update"]
    recipe_update = next(d for d in updates if d["object"]["type"] != "Event")
    gathering_update = next(d for d in updates if d["object"]["type"] == "Event")
    assert _resolve(b, recipe_update["id"])[:2] == (200, recipe_update)
    assert _resolve(b, created["id"])[0] == 404
    # a gathering's announcements answer as the outbox lists them: all of them
    assert _resolve(b, announced["id"])[:2] == (200, announced)
    assert _resolve(b, gathering_update["id"])[:2] == (200, gathering_update)

    # the recipe is put under a protocol that keeps it home: what it said is taken back,
    # and only the tombstone answers
    _edit_recipe(b, steward_id, recipe_id, "Smoky jollof rice", labels=["TK SS"])
    b.deliver()
    deletes = [d for d in far.received if d["type"] == "Delete"]
    recipe_delete = next(d for d in deletes if d["object"]["id"].endswith(f"/recipes/{recipe_id}"))
    status, body, _media = _resolve(b, recipe_delete["id"])
    assert (status, body) == (200, recipe_delete)
    assert "Smoky" not in json.dumps(body) and "jollof" not in json.dumps(body).lower()
    for gone in (recipe_update, announced, gathering_update):
        status, body, media = _resolve(b, gone["id"])
        assert status == 404 and media.startswith("application/problem+json")
        assert "jollof" not in json.dumps(body).lower()
    gathering_delete = next(
        d for d in deletes if d["object"]["id"].endswith(f"/gatherings/{gathering_id}")
    )
    assert _resolve(b, gathering_delete["id"])[0] == 404  # its whole history left the outbox

    # an answer sent to one inbox never answers; nor anything once the community is private
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        direct = Activity(
            community_id=beta.id,
            verb="Create",
            kind="recipe",
            local_id=recipe_id,
            document={"type": "Create", "id": "x"},
            target_inbox="http://far.test/inbox",
            fanned_out=True,
        )
        s.add(direct)
        s.flush()
        direct_id = direct.id
        beta.visibility = "private"
    assert _resolve(b, f"http://b.test/federation/activities/{direct_id}")[0] == 404
    assert _resolve(b, recipe_delete["id"])[0] == 404
    assert _resolve(b, "http://b.test/federation/activities/999999")[0] == 404
    for bad in ("abc", "0", "9" * 30):  # a malformed id: a problem a peer can read
        answer = b.http.get(f"/federation/activities/{bad}", headers=AP)
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["status"] == 422


def _statements(b: Instance, url: str) -> tuple[dict[str, Any], int]:
    """The answer to an outbox read and how many SQL statements it took."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        answer = b.http.get(url, headers=AP)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert answer.status_code == 200, answer.text
    return answer.json(), len(seen)


def test_the_outbox_reads_as_many_statements_for_three_recipes_as_for_thirty(
    solo: tuple[Instance, Router],
) -> None:
    """The front page only counts (no document is built for it) and a page builds its own
    twenty documents without a statement per recipe; an adapted recipe keeps its original."""
    b, router = solo
    _far, steward_id = _beta(b, router)
    first = [_add_recipe(b, steward_id, f"Soup {n}") for n in range(3)]
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        s.add(
            Adaptation(
                community_id=beta.id,
                recipe_id=first[0],
                object_id="http://far.test/recipes/7",
                origin_actor="http://far.test/federation/friends",
            )
        )
    front_few, front_few_cost = _statements(b, "/federation/beta/outbox")
    page_few, page_few_cost = _statements(b, "/federation/beta/outbox?page=1")
    for n in range(3, 30):
        _add_recipe(b, steward_id, f"Soup {n}")
    front_many, front_many_cost = _statements(b, "/federation/beta/outbox")
    page_many, page_many_cost = _statements(b, "/federation/beta/outbox?page=1")
    last, _ = _statements(b, "/federation/beta/outbox?page=2")

    assert (front_few["totalItems"], front_many["totalItems"]) == (3, 30)
    assert front_many_cost == front_few_cost
    assert page_many_cost == page_few_cost
    assert [len(page_few["orderedItems"]), len(page_many["orderedItems"])] == [3, 20]
    assert len(last["orderedItems"]) == 10 and "next" not in last
    names = [i["object"]["name"] for i in page_many["orderedItems"] + last["orderedItems"]]
    assert sorted(names) == sorted(f"Soup {n}" for n in range(30))
    adapted = next(i["object"] for i in last["orderedItems"] if i["object"]["name"] == "Soup 0")
    assert adapted["isBasedOn"] == "http://far.test/recipes/7"
    assert all("isBasedOn" not in i["object"] for i in page_many["orderedItems"])

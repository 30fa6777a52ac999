"""The demo: riverside follows lakeside (same instance, as if remote) and shows its recipes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot import demo
from commonpot.db import Database
from commonpot.federation.models import Adaptation, Follower, Following, RemoteItem, Report
from commonpot.recipes.models import Recipe


def test_riverside_shows_lakeside_recipes(client: TestClient, db: Database) -> None:
    with db.unit_of_work() as s:
        result = demo.load(s)
    assert any("riverside follows lakeside" in str(note) for note in result.ctx.notes)
    with db.unit_of_work(write=False) as s:
        follow = s.scalars(select(Following)).one()
        assert follow.state == "accepted" and follow.actor_id.endswith("/federation/lakeside")
        names = set(s.scalars(select(RemoteItem.name).where(RemoteItem.kind == "recipe")))
        remote_events = list(s.scalars(select(RemoteItem.name).where(RemoteItem.kind == "event")))
    assert names == {
        "Lake trout smoked over alder",
        "Wild rice and mushroom pilaf",
        "Birch sap tea",
    }
    assert remote_events == ["Smoke-house open evening"]
    # lakeside's public evening is in riverside's own events list and calendar, marked remote
    listed = client.get("/communities/riverside/events")
    assert "Smoke-house open evening" in listed.text.split('id="remote-h"', 1)[1]
    feed = client.get("/communities/riverside/events.ics").text
    assert "Smoke-house open evening (Lakeside Kitchen Collective" in feed.replace("\r\n ", "")
    page = client.get("/communities/riverside/federation")
    assert page.status_code == 200
    assert "Birch sap tea" in page.text and "Lakeside Kitchen Collective" in page.text
    # hillside stays private: no actor, and its recipes never reach the outbox of anyone
    assert (
        client.get(
            "/federation/hillside", headers={"accept": "application/activity+json"}
        ).status_code
        == 404
    )
    outbox = client.get("/federation/lakeside/outbox?page=1").json()
    assert len(outbox["orderedItems"]) == 4  # three recipes and the public evening
    # moderation: lakeside approves followers (one waits), riverside has a report and an
    # adaptation of lakeside's birch sap tea
    actor = client.get("/federation/lakeside", headers={"accept": "application/activity+json"})
    assert actor.json()["manuallyApprovesFollowers"] is True
    with db.unit_of_work(write=False) as s:
        assert s.scalars(
            select(Follower.state).where(Follower.domain == "mobilizon.example")
        ).all() == ["pending"]
        assert s.scalars(select(Report.domain)).all() == ["mastodon.example"]
        adapted = s.scalars(select(Adaptation)).one()
        assert "/federation/lakeside/recipes/" in adapted.object_id
        assert adapted.origin_name == "Lakeside Kitchen Collective"
        local = s.get(Recipe, adapted.recipe_id)
        assert local is not None and local.name == "Birch sap tea"
        assert (
            local.community_id
            != s.get(Recipe, int(adapted.object_id.rsplit("/", 1)[1])).community_id
        )  # type: ignore[union-attr]

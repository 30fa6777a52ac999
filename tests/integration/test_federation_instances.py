"""Two instances in one process: follow, accept, publish, update, delete, unfollow, block."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import OPERATOR, Viewer
from commonpot.federation import blocks, service, sharing
from commonpot.federation.models import Activity, Delivery, Follower, Following, RemoteItem
from commonpot.recipes import service as recipes_service
from commonpot.recipes.schemas import RecipeIn, SectionIn
from tests.factories.accounts import make_community, make_user
from tests.factories.events import make_event
from tests.factories.federation import Instance, Router, pair, second_database_urls

__all__ = ["pair", "second_database_urls"]


def _recipe(name: str, **fields: Any) -> RecipeIn:
    return RecipeIn(
        name=name,
        description="Shared across the biodomes.",
        ingredients=["2 cups rice", "1 onion"],
        sections=[SectionIn(steps=["Wash the rice.", "Cook slowly."])],
        **fields,
    )


def _setup(a: Instance, b: Instance) -> dict[str, int]:
    with a.db.unit_of_work() as s:
        alpha = make_community(s, make_user(s, "A steward"), slug="alpha")
        ids = {"alpha": alpha.id}
    with b.db.unit_of_work() as s:
        steward = make_user(s, "B steward")
        beta = make_community(s, steward, slug="beta")
        ids["beta"] = beta.id
        ids["b_steward"] = steward.id
    return ids


def _steward(s: Session) -> Viewer:
    user = s.scalars(select(User).where(User.display_name == "B steward")).one()
    return Viewer(user=user)


def _follow(a: Instance, b: Instance) -> None:
    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        service.follow(s, a.fed, alpha, OPERATOR, "@beta@b.test")
    a.deliver()  # Follow -> b
    b.deliver()  # Accept -> a


def test_follow_accept_publish_update_delete_unfollow(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    _setup(a, b)
    _follow(a, b)
    assert b.count(Follower, Follower.actor_id == "http://a.test/federation/alpha") == 1
    with a.db.unit_of_work(write=False) as s:
        row = s.scalar(select(Following))
        assert (
            row is not None
            and row.state == "accepted"
            and row.actor_id == "http://b.test/federation/beta"
        )

    # publish: a public recipe reaches a; a restricted one does not
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        shared = recipes_service.create_recipe(s, beta, _steward(s), _recipe("Jollof rice"))
        recipes_service.create_recipe(
            s, beta, _steward(s), _recipe("Ceremony bread", labels=["TK SS"])
        )
        recipes_service.create_recipe(
            s, beta, _steward(s), _recipe("Kitchen only", reach="community")
        )
        shared_id = shared.id
    report = b.deliver()
    assert report.delivered == 1, report
    with a.db.unit_of_work(write=False) as s:
        items = s.scalars(select(RemoteItem)).all()
        assert [i.name for i in items] == ["Jollof rice"]
        assert items[0].kind == "recipe" and items[0].domain == "b.test"
        assert items[0].origin_actor == "http://b.test/federation/beta"
        assert items[0].ingredients == ["2 cups rice", "1 onion"]
        assert "<li>Wash the rice.</li>" in items[0].content

    # update
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        recipes_service.update_recipe(
            s, beta, _steward(s), shared_id, _recipe("Jollof rice, party style")
        )
    assert b.deliver().delivered == 1
    with a.db.unit_of_work(write=False) as s:
        assert s.scalars(select(RemoteItem.name)).all() == ["Jollof rice, party style"]

    # delete
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        recipes_service.delete_recipe(s, beta, _steward(s), shared_id)
    assert b.deliver().delivered == 1
    assert a.count(RemoteItem) == 0

    # unfollow: b forgets the follower
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        recipes_service.create_recipe(s, beta, _steward(s), _recipe("Pepper soup"))
    b.deliver()
    assert a.count(RemoteItem) == 1
    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        row = s.scalars(select(Following)).one()
        service.unfollow(s, a.fed, alpha, OPERATOR, row.id)
    assert a.count(RemoteItem) == 0 and a.count(Following) == 0
    assert a.deliver().delivered == 1
    assert b.count(Follower) == 0


def test_recipe_turned_community_only_is_deleted_remotely(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    _setup(a, b)
    _follow(a, b)
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        rid = recipes_service.create_recipe(s, beta, _steward(s), _recipe("Fish stew")).id
    b.deliver()
    assert a.count(RemoteItem) == 1
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        recipes_service.update_recipe(
            s, beta, _steward(s), rid, _recipe("Fish stew", reach="community")
        )
    b.deliver()
    assert a.count(RemoteItem) == 0
    with b.db.unit_of_work(write=False) as s:
        sent = [a.document for a in s.scalars(select(Activity).order_by(Activity.id)) if a.document]
    assert sent[-1]["type"] == "Delete"
    assert sent[-1]["object"]["type"] == "Tombstone"
    assert "Fish stew" not in str(sent[-1])


def test_block_answers_403_and_purges(pair: tuple[Instance, Instance, Router]) -> None:
    a, b, _router = pair
    _setup(a, b)
    _follow(a, b)
    assert b.count(Follower) == 1
    with b.db.unit_of_work() as s:
        blocks.block_domain(s, OPERATOR, "a.test")
    assert b.count(Follower) == 0
    # a unfollows: its signed Undo is refused with 403, and b keeps nothing of it
    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        row = s.scalars(select(Following)).one()
        service.unfollow(s, a.fed, alpha, OPERATOR, row.id)
    report = a.deliver()
    assert report.failed == 1 and report.delivered == 0
    with a.db.unit_of_work(write=False) as s:
        assert s.scalars(select(Delivery.last_error)).all()[-1] == "answered 403"
    assert b.count(Follower) == 0


def test_public_event_reaches_followers_community_event_does_not(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    _setup(a, b)
    _follow(a, b)
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        steward = s.scalars(select(User).where(User.display_name == "B steward")).one()
        make_event(s, beta, steward, title="Harvest supper", visibility="public")
        make_event(s, beta, steward, title="Stewards' meeting")
    assert b.deliver().delivered == 1
    with a.db.unit_of_work(write=False) as s:
        item = s.scalars(select(RemoteItem)).one()
        assert (item.kind, item.name) == ("event", "Harvest supper")
        assert item.starts_at is not None

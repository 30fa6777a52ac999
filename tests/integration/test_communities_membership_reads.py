"""`communities.membership` in a read unit of work: the viewer's membership is read once per
session (most domains' access checks ask for it, several times a request), or not at all
after the request's scope read it with the community (`community_and_membership`,
`signed_in_scope`); a session that may write reads it every time, and a change committed
meanwhile reaches the next unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, update

from commonpot import communities
from commonpot.accounts import Credential, Viewer
from commonpot.accounts.models import User
from commonpot.communities.access import signed_in_scope
from commonpot.communities.models import Community, Membership
from commonpot.db import Database
from tests.factories.accounts import World, bearer, make_world


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(str(args[2]).lower())

    for engine in {db.engine, db.write_engine}:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        for engine in {db.engine, db.write_engine}:
            event.remove(engine, "before_cursor_execute", note)


def member_reads(seen: list[str]) -> int:
    return sum(1 for sql in seen if "from memberships" in " ".join(sql.split()))


def viewer(session: object, user: User) -> Viewer:
    return Viewer(user=session.get(User, user.id))  # type: ignore[attr-defined]


def test_a_read_unit_reads_the_membership_once(db: Database) -> None:
    world: World = make_world(db)
    with db.unit_of_work(write=False) as session, counted(db) as seen:
        public = session.get(Community, world.public.id)
        assert public is not None
        who = viewer(session, world.member)
        found = [communities.membership(session, public, who) for _ in range(3)]
        assert [m.role if m else None for m in found] == ["member"] * 3
        outsider = viewer(session, world.outsider)
        assert communities.membership(session, public, outsider) is None
        assert communities.membership(session, public, outsider) is None
    assert member_reads(seen) == 2  # one for each person, whatever the number of asks


def test_after_the_scope_read_it_the_membership_costs_no_statement(db: Database) -> None:
    world: World = make_world(db)
    secret = bearer(db, world.private_member)["Authorization"].removeprefix("Bearer ")
    with db.unit_of_work(write=False) as session:
        who, community, mine = signed_in_scope(
            session, "privatehill", Credential(via_token=True, secret=secret)
        )
        assert mine is not None and mine.role == "member"
        with counted(db) as seen:
            assert communities.membership(session, community, who) is mine
            assert mine.user.id == world.private_member.id  # its person: this row's own
            assert mine.community is community
        assert seen == []
    with db.unit_of_work(write=False) as session:
        who = viewer(session, world.member)
        community, mine = communities.community_and_membership(session, "publicville", who)
        with counted(db) as seen:
            assert communities.membership(session, community, who) is mine
        assert seen == []


def test_a_unit_that_may_write_reads_it_every_time_and_sees_its_own_change(
    db: Database,
) -> None:
    world: World = make_world(db)
    with db.unit_of_work() as session, counted(db) as seen:
        public = session.get(Community, world.public.id)
        assert public is not None
        who = viewer(session, world.member)
        assert communities.membership(session, public, who) is not None
        session.execute(
            update(Membership)
            .where(Membership.user_id == world.member.id, Membership.community_id == public.id)
            .values(role="custodian")
            .execution_options(synchronize_session="fetch")
        )
        again = communities.membership(session, public, who)
        assert again is not None and again.role == "custodian"
    assert member_reads(seen) >= 2
    # a change committed meanwhile: the next read unit sees it
    with db.unit_of_work(write=False) as session:
        public = session.get(Community, world.public.id)
        assert public is not None
        found = communities.membership(session, public, viewer(session, world.member))
        assert found is not None and found.role == "custodian"

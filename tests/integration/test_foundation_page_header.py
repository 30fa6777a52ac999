"""`page_header.read_header`: a signed-in person's communities (by name) and unread count,
in one statement, on both databases; and a member's page showing them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from commonpot import communities
from commonpot.accounts import ANONYMOUS, Viewer
from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.notifications import Notification
from commonpot.page_header import NOBODY, CommunityLink, read_header
from tests.factories.accounts import World, make_community, make_world, sign_in


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """The statements any engine runs meanwhile (the app's own too), one line each."""
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()).lower())

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def _header(db: Database, user: User | None) -> tuple[object, int]:
    with statements_run() as seen, db.unit_of_work(write=False) as session:
        viewer = ANONYMOUS if user is None else Viewer(user=session.get(User, user.id))
        found = read_header(session, viewer)
    return found, len([s for s in seen if "notifications" in s])


def test_a_member_reads_their_communities_by_name_and_their_unread_count(db: Database) -> None:
    world: World = make_world(db)
    with db.unit_of_work() as s:
        steward = s.get(User, world.steward.id)
        assert steward is not None
        # a second community of theirs, whose name sorts first, and three notifications of
        # which one is read; another person's notification is not theirs
        second = make_community(s, steward, slug="aardvark")
        second.name = "Aardvark Allotments"
        for read_at in (None, None, datetime(2026, 1, 1, tzinfo=UTC)):
            s.add(Notification(user_id=steward.id, kind="proposal.opened", read_at=read_at))
        s.add(Notification(user_id=world.member.id, kind="proposal.opened"))
    header, statements = _header(db, world.steward)
    assert header.communities == (  # type: ignore[attr-defined]
        CommunityLink("aardvark", "Aardvark Allotments"),
        CommunityLink("publicville", world.public.name),
    )
    assert header.unread == 2  # type: ignore[attr-defined]
    assert statements == 1


def test_someone_in_no_community_still_reads_their_unread_count(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        s.add(Notification(user_id=world.outsider.id, kind="proposal.opened"))
    header, _ = _header(db, world.outsider)
    assert header.communities == ()  # type: ignore[attr-defined]
    assert header.unread == 1  # type: ignore[attr-defined]
    header, statements = _header(db, None)
    assert header is NOBODY and statements == 0


def test_the_page_header_lists_a_members_communities_and_no_one_elses(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        s.add(Notification(user_id=world.private_member.id, kind="proposal.opened"))
    sign_in(client, db, world.private_member)
    page = client.get(f"/communities/{world.public.slug}")
    assert page.status_code == 200
    header = page.text.split("</nav>")[0]
    assert f'href="/communities/{world.private.slug}"' in header  # their own, private
    assert 'id="unread-count">1<' in header
    with db.unit_of_work(write=False) as s:
        mine = communities.my_memberships(s, Viewer(user=s.get(User, world.private_member.id)))
        assert [m.community.slug for m in mine] == [world.private.slug]
    sign_in(client, db, world.member)
    page = client.get(f"/communities/{world.public.slug}")
    header = page.text.split("</nav>")[0]
    assert f'href="/communities/{world.private.slug}"' not in header
    assert f'href="/communities/{world.public.slug}"' in header
    assert 'id="unread-count"' not in header


def test_a_members_page_reads_its_header_in_the_statement_that_says_who_they_are(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        s.add(Notification(user_id=world.member.id, kind="proposal.opened"))
    sign_in(client, db, world.member)
    with statements_run() as statements:
        page = client.get(f"/communities/{world.public.slug}/recipes")
    header = page.text.split("</nav>")[0]
    assert 'id="unread-count">1<' in header
    assert f'href="/communities/{world.public.slug}"' in header
    told = [sql for sql in statements if "from notifications" in sql]
    assert len(told) == 1 and "token_hash" in told[0]  # the signed-in statement itself
    # the next page reads the header anew: a notification read meanwhile is not counted
    with db.unit_of_work() as s:
        for found in s.query(Notification).filter_by(user_id=world.member.id):
            found.read_at = datetime(2026, 1, 1, tzinfo=UTC)
    again = client.get(f"/communities/{world.public.slug}/recipes").text.split("</nav>")[0]
    assert 'id="unread-count"' not in again
    # an API read inside the community does not read the header at all
    with statements_run() as statements:
        assert client.get(f"/api/communities/{world.public.slug}/recipes").status_code == 200
    assert not [sql for sql in statements if "from notifications" in sql]

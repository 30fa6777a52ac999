"""Notifications end to end: domain events -> jobs -> inbox and a real SMTP server.

Each kind is triggered through the domain's own use case where one exists, delivered by
the job runtime, and read back from the inbox table and from what a local aiosmtpd
server received: in the recipient's language, respecting their preferences.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot import jobs, signals
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.bus import MemoryBus
from commonpot.communities import service as communities
from commonpot.communities.models import Community, Invitation, Membership
from commonpot.communities.schemas import InvitationIn
from commonpot.db import Database, utcnow
from commonpot.errors import Invalid
from commonpot.events import service as events_service
from commonpot.events import signup
from commonpot.events.jobs import REMINDER_JOB
from commonpot.governance.signals import ProposalDecided
from commonpot.network import runs
from commonpot.network import service as network
from commonpot.notifications import service as notes
from commonpot.notifications.jobs import INVITATION_JOB
from commonpot.notifications.models import Notification
from commonpot.settings import Settings
from commonpot.wiring import start_jobs
from tests.factories.accounts import PASSWORD, World, browser, form, make_world
from tests.factories.events import make_event
from tests.factories.governance import make_proposal
from tests.factories.platform import Inbox, body_text, smtp_server


@pytest.fixture
def mailbox() -> Iterator[tuple[str, Inbox]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def runtime(db: Database, settings: Settings, mailbox: tuple[str, Inbox]) -> jobs.Jobs:
    mine = settings.model_copy(
        update={"smtp_url": mailbox[0], "jobs_backend": "memory", "jobs_queue": f"n{id(db)}"}
    )
    return start_jobs(mine, db, MemoryBus())


def run_all(runtime: jobs.Jobs) -> None:
    """Run queued jobs, and the jobs they queue, until none are left."""
    for _ in range(5):
        if runtime.drain() == 0:
            return


def kinds_for(db: Database, user: User) -> list[str]:
    with db.unit_of_work(write=False) as s:
        query = select(Notification.kind).where(Notification.user_id == user.id)
        return sorted(s.scalars(query.order_by(Notification.id)))


def spanish(db: Database, user: User) -> None:
    with db.unit_of_work() as s:
        found = s.get(User, user.id)
        assert found is not None
        found.locale = "es"


def allocate_and_commit(db: Database, w: World) -> None:
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        network.create_offer(
            s,
            community,
            Viewer(user=s.get(User, w.member.id)),
            category="apples",
            quantity=4,
            lat=52.0,
            lon=5.0,
        )
        network.create_need(
            s,
            community,
            Viewer(user=s.get(User, w.custodian.id)),
            category="apples",
            quantity=3,
            lat=52.01,
            lon=5.0,
        )
        steward = Viewer(user=s.get(User, w.steward.id))
        run = runs.create_run(s, community, steward)
        runs.commit_run(s, community, steward, run.id)


def test_allocation_tells_needer_and_giver_in_their_language_by_email_and_inbox(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    spanish(db, w.custodian)
    allocate_and_commit(db, w)
    assert mailbox[1].messages == []  # nothing is sent inside the request
    run_all(runtime)
    assert kinds_for(db, w.custodian) == ["need_matched"]
    assert kinds_for(db, w.member) == ["offer_allocated"]
    (needer,) = mailbox[1].to(w.custodian.email)
    text, html = body_text(needer)
    assert needer["Subject"] == "Tu necesidad fue atendida: 3 de apples"
    # where to pick it up, as a Spanish reader writes numbers (decimal comma)
    assert "Dónde: 52, 5 (1,1 km)." in text
    assert "<h2" in html
    assert "Tu necesidad fue atendida" in html
    assert re.search(r"/unsubscribe/[\w.-]+", text)
    assert needer["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")
    (giver,) = mailbox[1].to(w.member.email)
    assert giver["Subject"] == "Your offer was allocated: 3 of apples"


def test_preferences_off_and_digest_are_respected(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        notes.set_preferences(s, Viewer(user=s.get(User, w.member.id)), {"offer_allocated": "off"})
        notes.set_preferences(
            s, Viewer(user=s.get(User, w.custodian.id)), {"need_matched": "digest"}
        )
    allocate_and_commit(db, w)
    run_all(runtime)
    assert kinds_for(db, w.member) == []  # off: not even the inbox
    assert kinds_for(db, w.custodian) == ["need_matched"]  # digest: in the inbox ...
    assert mailbox[1].messages == []  # ... but no e-mail yet
    with db.unit_of_work() as s:
        jobs.enqueue(s, "notifications.digest", {}, key="digest-today")
    run_all(runtime)
    (digest,) = mailbox[1].to(w.custodian.email)
    assert digest["Subject"] == "Your daily digest"
    assert "Your need was matched: 3 of apples" in body_text(digest)[0]
    with db.unit_of_work() as s:
        jobs.enqueue(s, "notifications.digest", {}, key="digest-tomorrow")
    run_all(runtime)
    assert len(mailbox[1].to(w.custodian.email)) == 1  # nothing twice


def test_roles_invitations_events_and_proposals_reach_the_right_people(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox], settings: Settings
) -> None:
    w = make_world(db)
    spanish(db, w.member)
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        steward = Viewer(user=s.get(User, w.steward.id))
        communities.change_role(s, community, steward, w.member.id, "custodian")
        communities.create_invitation(s, community, steward, InvitationIn(email=w.outsider.email))
        event = make_event(s, community, w.steward, capacity=1)
        first = signup.register(s, community, Viewer(user=s.get(User, w.custodian.id)), event)
        signup.register(s, community, Viewer(user=s.get(User, w.member.id)), event)
        event_id = first.event_id
    run_all(runtime)
    assert kinds_for(db, w.member) == ["role_changed"]
    (role_mail,) = mailbox[1].to(w.member.email)
    assert role_mail["Subject"] == "Tu rol en publicville cambió".replace(
        "publicville", w.public.name
    )
    assert kinds_for(db, w.outsider) == ["invited"]
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        found = events_service.get_event(
            s, community, Viewer(user=s.get(User, w.custodian.id)), event_id
        )
        signup.cancel(s, community, Viewer(user=s.get(User, w.custodian.id)), found)
    run_all(runtime)
    assert kinds_for(db, w.member) == ["role_changed", "waitlist_opened"]
    # the reminder job finds tomorrow's event once, however often it runs
    for slot in ("a", "b"):
        with db.unit_of_work() as s:
            jobs.enqueue(s, REMINDER_JOB, {}, key=f"remind-{slot}")
        run_all(runtime)
    assert kinds_for(db, w.member).count("event_reminder") == 1
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        found = events_service.get_event(
            s, community, Viewer(user=s.get(User, w.steward.id)), event_id
        )
        events_service.cancel_event(s, community, Viewer(user=s.get(User, w.steward.id)), found)
    run_all(runtime)
    assert "event_cancelled" in kinds_for(db, w.member)
    assert "event_cancelled" in kinds_for(db, w.custodian)  # withdrawn, still signed up once
    number = make_proposal(db, w.steward, w.public.slug, settings)
    with db.unit_of_work() as s:
        signals.emit(s, ProposalDecided(w.public.id, number, "Plant a walnut grove", "passed"))
    run_all(runtime)
    for person in (w.steward, w.custodian, w.member):
        assert {"proposal_opened", "proposal_result"} <= set(kinds_for(db, person))
    assert "proposal_opened" not in kinds_for(db, w.outsider)  # not a member
    assert "proposal_opened" not in kinds_for(db, w.private_member)


def test_unsubscribe_link_works_without_signing_in(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox], client: TestClient
) -> None:
    w = make_world(db)
    allocate_and_commit(db, w)
    run_all(runtime)
    (giver,) = mailbox[1].to(w.member.email)
    link = re.search(r"http://testserver(/unsubscribe/[\w.-]+)", body_text(giver)[0])
    assert link is not None
    browser(client)
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert "Your offer was allocated" in page.text
    assert client.get("/unsubscribe/forged.token").status_code == 404
    done = client.post(link.group(1), data=form({}))
    assert done.status_code == 200
    with db.unit_of_work(write=False) as s:
        assert notes.preferences(s, w.member.id)["offer_allocated"] == "off"


def test_inbox_shows_unread_count_and_marks_read(
    db: Database, runtime: jobs.Jobs, client: TestClient
) -> None:
    from tests.factories.accounts import sign_in

    w = make_world(db)
    allocate_and_commit(db, w)
    run_all(runtime)
    sign_in(client, db, w.member)
    home = client.get("/me/notifications")
    assert re.search(r'id="unread-count">1<', home.text)
    assert "Your offer was allocated: 3 of apples" in home.text
    api = client.get("/api/me/notifications").json()
    assert [n["read"] for n in api] == [False]
    client.post("/me/notifications/read", data=form({}))
    assert 'id="unread-count"' not in client.get("/me/notifications").text
    sign_in(client, db, w.custodian)  # someone else's notification stays theirs
    other = client.post(
        f"/api/me/notifications/{api[0]['id']}/read",
        headers={"X-CSRF-Token": "test-csrf-token"},
    )
    assert other.status_code == 404
    bad = client.put(
        "/api/me/notification-preferences",
        json={"channels": {"need_matched": "pigeon"}},
        headers={"X-CSRF-Token": "test-csrf-token"},
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "need_matched"


def test_event_reminder_window(db: Database, runtime: jobs.Jobs) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        later = make_event(s, community, w.steward, starts_at=utcnow() + timedelta(days=3))
        signup.register(s, community, Viewer(user=s.get(User, w.member.id)), later)
        jobs.enqueue(s, REMINDER_JOB, {}, key="remind-now")
    run_all(runtime)
    assert "event_reminder" not in kinds_for(db, w.member)  # three days away: not yet


def test_flash_events_and_closing_votes_reach_members_once(
    db: Database, runtime: jobs.Jobs, settings: Settings
) -> None:
    from commonpot.governance.jobs import CLOSING_JOB

    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        make_event(s, community, w.steward, kind="flash", title="Tortillas now")
    make_proposal(db, w.steward, w.public.slug, settings, rules={"voting_seconds": 86400})
    for slot in ("a", "b"):
        with db.unit_of_work() as s:
            jobs.enqueue(s, CLOSING_JOB, {}, key=f"closing-{slot}")
        run_all(runtime)
    for person in (w.steward, w.custodian, w.member):
        kinds = kinds_for(db, person)
        assert kinds.count("flash_event") == 1
        assert kinds.count("proposal_closing") == 1
    assert kinds_for(db, w.outsider) == []


def test_invitation_to_an_address_without_account_sends_the_link_by_email(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox], client: TestClient
) -> None:
    w = make_world(db)
    spanish(db, w.steward)  # written in the inviting steward's language
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        steward = Viewer(user=s.get(User, w.steward.id))
        body = InvitationIn(email="Newcomer@Example.org", note="Bring your grandmother's recipe")
        communities.create_invitation(s, community, steward, body)
        communities.create_invitation(s, community, steward, InvitationIn(email="gone@example.org"))
        revoked_id = s.scalar(select(Invitation.id).where(Invitation.email == "gone@example.org"))
        assert revoked_id is not None
        communities.revoke_invitation(s, community, steward, revoked_id)
    assert mailbox[1].messages == []  # nothing is sent inside the request
    run_all(runtime)
    assert mailbox[1].to("gone@example.org") == []  # a withdrawn invitation is not sent
    (letter,) = mailbox[1].to("newcomer@example.org")
    assert letter["Subject"] == f"Te invitaron a {w.public.name}"
    text, html = body_text(letter)
    assert "Bring your grandmother's recipe" in text
    link = re.search(r"http://testserver(/invite/[\w-]+)", text)
    assert link is not None
    assert link.group(1) in html
    with db.unit_of_work(write=False) as s:  # the secret left the job's record once sent
        payloads = [j.payload for j in s.scalars(select(jobs.Job))]
        assert not any("token" in p for p in payloads)
        assert all(link.group(1).split("/")[-1] not in str(p) for p in payloads)
    page = browser(client).get(link.group(1))
    assert page.status_code == 200
    assert 'value="newcomer@example.org"' in page.text
    joined = client.post(
        link.group(1),
        data=form(
            {"email": "newcomer@example.org", "display_name": "Newcomer", "password": PASSWORD}
        ),
        follow_redirects=False,
    )
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/communities/{w.public.slug}"
    with db.unit_of_work(write=False) as s:
        user_id = s.scalar(select(User.id).where(User.email == "newcomer@example.org"))
        assert s.scalar(
            select(Membership.id).where(
                Membership.user_id == user_id, Membership.community_id == w.public.id
            )
        )


def test_a_rolled_back_savepoint_tells_nobody(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox], client: TestClient
) -> None:
    """Events emitted inside a savepoint that rolls back go with it; the others stay."""
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        steward = Viewer(user=s.get(User, w.steward.id))
        invite = InvitationIn(email="first@example.org")
        communities.create_invitation(s, community, steward, invite)
        with pytest.raises(Invalid), s.begin_nested():  # a form that failed, shown again
            never = InvitationIn(email="never@example.org")
            communities.create_invitation(s, community, steward, never)
            raise Invalid("The steward changed their mind.")
        communities.create_invitation(s, community, steward, InvitationIn(email="kept@example.org"))
    run_all(runtime)
    with db.unit_of_work(write=False) as s:
        queued = list(s.scalars(select(jobs.Job.name).where(jobs.Job.name == INVITATION_JOB)))
    assert len(queued) == 2  # two invitations were made, two e-mails queued
    assert mailbox[1].to("never@example.org") == []
    for address in ("first@example.org", "kept@example.org"):
        (letter,) = mailbox[1].to(address)
        link = re.search(r"http://testserver(/invite/[\w-]+)", body_text(letter)[0])
        assert link is not None
        page = browser(client).get(link.group(1))  # the link carries that invitation's secret
        assert page.status_code == 200
        assert f'value="{address}"' in page.text

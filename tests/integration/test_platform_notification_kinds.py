"""Every kind of notification the issue lists, under every channel a person can choose.

One scenario triggers all of them through the domains' own use cases (an allocation, a
waitlist, an event reminded, changed and cancelled, a flash event, a proposal opened,
closing and decided, an invitation, a role change, a failed job, a compost-drum alarm).
Everybody reads Spanish and has chosen the same channel for every kind; the notification
jobs run, and what arrives is read from the inbox table and from a real local SMTP server
(aiosmtpd): e-mail now (inbox + one e-mail per notice, text + HTML, unsubscribe link),
in-app (inbox, no e-mail), daily digest (inbox, then one digest e-mail), off (nothing).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot import jobs, signals
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.communities.models import Community
from commonpot.communities.schemas import InvitationIn
from commonpot.db import Database
from commonpot.events import service as events_service
from commonpot.events import signup
from commonpot.events.jobs import REMINDER_JOB
from commonpot.events.models import Event
from commonpot.events.schemas import EventPatch
from commonpot.governance.jobs import CLOSING_JOB
from commonpot.governance.signals import ProposalDecided
from commonpot.notifications import mail
from commonpot.notifications import service as notes
from commonpot.notifications.kinds import KINDS
from commonpot.notifications.models import Notification
from commonpot.settings import Settings
from tests.factories.accounts import World, browser, form, make_world
from tests.factories.events import make_event
from tests.factories.governance import make_proposal
from tests.factories.platform import Inbox, body_text
from tests.integration import test_biotumblers_alerts as drums
from tests.integration import test_platform_notifications as platform

# the notification tests' real SMTP server and job runtime (fixtures), and their helpers
mailbox, runtime = platform.mailbox, platform.runtime
allocate_and_commit, run_all = platform.allocate_and_commit, platform.run_all

# the issue's list, and who hears each in the scenario below
ISSUE_KINDS = {
    "need_matched": "custodian",
    "offer_allocated": "member",
    "waitlist_opened": "member",
    "event_reminder": "member",
    "event_changed": "member",
    "event_cancelled": "member",
    "flash_event": "member",
    "proposal_opened": "member",
    "proposal_closing": "member",
    "proposal_result": "member",
    "invited": "outsider",
    "role_changed": "member",
    "job_failed": "steward",
    "telemetry_alarm": "steward",
}


def _broken(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    raise RuntimeError("the oven is cold")


def people(w: World) -> dict[str, User]:
    return {
        "steward": w.steward,
        "custodian": w.custodian,
        "member": w.member,
        "outsider": w.outsider,
    }


def everyone_chooses(db: Database, w: World, channel: str) -> None:
    """Every person reads Spanish and hears every kind through `channel`."""
    with db.unit_of_work() as s:
        for person in people(w).values():
            user = s.get_one(User, person.id)
            user.locale = "es"
            notes.set_preferences(s, Viewer(user=user), dict.fromkeys(KINDS, channel))


def trigger_every_kind(db: Database, w: World, settings: Settings, rt: jobs.Jobs) -> None:
    """Each domain's own use case, once for every kind the issue lists."""
    allocate_and_commit(db, w)  # need matched, offer allocated
    with db.unit_of_work() as s:
        community = s.get_one(Community, w.public.id)
        steward = Viewer(user=s.get(User, w.steward.id))
        communities.change_role(s, community, steward, w.member.id, "custodian")
        communities.create_invitation(s, community, steward, InvitationIn(email=w.outsider.email))
        event = make_event(s, community, w.steward, capacity=1, title="Tamales night")
        signup.register(s, community, Viewer(user=s.get(User, w.custodian.id)), event)
        signup.register(s, community, Viewer(user=s.get(User, w.member.id)), event)
        event_id = event.id
    run_all(rt)
    with db.unit_of_work() as s:  # the custodian withdraws: the member gets the place
        community = s.get_one(Community, w.public.id)
        custodian = Viewer(user=s.get(User, w.custodian.id))
        signup.cancel(s, community, custodian, s.get_one(Event, event_id))
        jobs.enqueue(s, REMINDER_JOB, {}, key="remind-kinds")  # it starts within a day
    run_all(rt)
    with db.unit_of_work() as s:  # moved by two hours
        community = s.get_one(Community, w.public.id)
        found = s.get_one(Event, event_id)
        later = found.starts_at + timedelta(hours=2)
        patch = EventPatch.model_validate(
            {"starts_at": later, "ends_at": later + timedelta(hours=3)}
        )
        steward = Viewer(user=s.get(User, w.steward.id))
        events_service.update_event(s, community, steward, found, patch)
    run_all(rt)
    with db.unit_of_work() as s:
        community = s.get_one(Community, w.public.id)
        steward = Viewer(user=s.get(User, w.steward.id))
        events_service.cancel_event(s, community, steward, s.get_one(Event, event_id))
        make_event(s, community, w.steward, kind="flash", title="Tortillas now")
    number = make_proposal(db, w.steward, w.public.slug, settings, rules={"voting_seconds": 86400})
    with db.unit_of_work() as s:
        jobs.enqueue(s, CLOSING_JOB, {}, key="closing-kinds")
    run_all(rt)
    with db.unit_of_work() as s:
        signals.emit(s, ProposalDecided(w.public.id, number, "Plant a walnut grove", "passed"))
    jobs.REGISTRY.register(jobs.JobSpec("test.kinds.broken", _broken, 1))
    with db.unit_of_work() as s:
        jobs.enqueue(
            s, "test.kinds.broken", {}, community_id=w.public.id, title="Bake", max_attempts=1
        )
    run_all(rt)
    found = drums.device(db, w)
    drums.send(db, found, [drums.wire(0, 60), drums.wire(10, 66)])  # an overheat opens
    run_all(rt)


def inbox_of(db: Database, w: World) -> dict[str, list[Notification]]:
    """Each person's notifications by role name."""
    found: dict[str, list[Notification]] = {}
    with db.unit_of_work(write=False) as s:
        for name, person in people(w).items():
            query = select(Notification).where(Notification.user_id == person.id)
            found[name] = list(s.scalars(query.order_by(Notification.id)))
            s.expunge_all()
    return found


def kinds_heard(found: dict[str, list[Notification]]) -> dict[str, set[str]]:
    heard: dict[str, set[str]] = defaultdict(set)
    for name, rows in found.items():
        for row in rows:
            heard[row.kind].add(name)
    return heard


def sent_params(rows: list[Notification], subject: str) -> dict[str, Any]:
    """The parameters of the notice an e-mail with this subject was about."""
    return next(n.params for n in rows if mail.words(n.kind, n.params, "es")[0] == subject)


def notice_mails(box: Inbox, w: World) -> list[Any]:
    """E-mails to the four people (the invitation-link letter goes only to newcomers)."""
    return [m for p in people(w).values() for m in box.to(p.email)]


@pytest.mark.parametrize("channel", ["email", "inapp", "digest", "off"])
def test_every_kind_reaches_inbox_and_smtp_in_spanish_as_each_person_chose(
    db: Database,
    runtime: jobs.Jobs,
    mailbox: tuple[str, Inbox],
    settings: Settings,
    client: TestClient,
    channel: str,
) -> None:
    w = make_world(db)
    everyone_chooses(db, w, channel)
    trigger_every_kind(db, w, settings, runtime)
    found = inbox_of(db, w)
    heard = kinds_heard(found)
    box = mailbox[1]
    if channel == "off":
        assert {k: v for k, v in heard.items() if k in ISSUE_KINDS} == {}
        assert notice_mails(box, w) == []
        return
    for kind, who in ISSUE_KINDS.items():  # every kind reached its person's inbox
        assert who in heard.get(kind, set()), (kind, dict(heard))
    assert "proposal_opened" not in {n.kind for n in found["outsider"]}  # not a member
    assert not {"job_failed", "telemetry_alarm"} & {n.kind for n in found["member"]}  # stewards
    if channel == "inapp":
        assert notice_mails(box, w) == []
        return
    if channel == "digest":
        assert notice_mails(box, w) == []  # nothing until the digest runs
        with db.unit_of_work() as s:
            jobs.enqueue(s, "notifications.digest", {}, key="digest-kinds")
        run_all(runtime)
        for name, person in people(w).items():
            (digest,) = box.to(person.email)
            assert digest["Subject"] == "Tu resumen diario"
            text, html = body_text(digest)
            for row in found[name]:
                subject = mail.words(row.kind, row.params, "es")[0]
                assert subject in text, (row.kind, text)
            assert '<html lang="es">' in html
        return
    # e-mail now: one message per notice, in Spanish, text + HTML, a link that unsubscribes
    for kind, who in ISSUE_KINDS.items():
        person = people(w)[who]
        rows = [n for n in found[who] if n.kind == kind]
        expected = {mail.words(kind, n.params, "es")[0] for n in rows}
        english = {mail.words(kind, n.params, "en")[0] for n in rows}
        assert not expected & english, (kind, expected)  # the Spanish words, not the English
        sent = [m for m in box.to(person.email) if m["Subject"] in expected]
        assert sent, (kind, [m["Subject"] for m in box.to(person.email)])
        text, html = body_text(sent[0])
        assert mail.words(kind, sent_params(rows, sent[0]["Subject"]), "es")[1] in text
        assert '<html lang="es">' in html
        assert "<h2" in html
        link = re.search(r"http://testserver(/unsubscribe/[\w.-]+)", text)
        assert link is not None, kind
        assert sent[0]["List-Unsubscribe"] == f"<http://testserver{link.group(1)}>"
        assert notes.read_unsubscribe(settings.secret_key, link.group(1).split("/")[-1]) == (
            person.id,
            kind,
        )
    # one of them, followed without signing in, turns that kind off for that person only
    (telemetry,) = [m for m in box.to(w.steward.email) if "sobrecalentamiento" in str(m["Subject"])]
    link = re.search(r"http://testserver(/unsubscribe/[\w.-]+)", body_text(telemetry)[0])
    assert link is not None
    browser(client)
    assert client.post(link.group(1), data=form({})).status_code == 200
    with db.unit_of_work(write=False) as s:
        assert notes.preferences(s, w.steward.id)["telemetry_alarm"] == "off"
        assert notes.preferences(s, w.steward.id)["job_failed"] == "email"
        assert notes.preferences(s, w.member.id)["telemetry_alarm"] == "email"


def test_every_kind_has_spanish_words_for_its_label_subject_and_body() -> None:
    spanish = mail.translations("es")
    missing = [
        (name, text)
        for name, kind in KINDS.items()
        for text in (kind.label, kind.subject, kind.body)
        if spanish.gettext(text) == text
        and re.search(r"[a-z]", re.sub(r"%\(\w+\)s", "", text))  # words, not placeholders only
    ]
    assert missing == []
    assert set(ISSUE_KINDS) <= set(KINDS)

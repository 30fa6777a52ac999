"""An organiser changes an event: everyone signed up or waiting hears, as they chose to hear.

The change goes through the events use cases (and once through the edit form), the
notification jobs run, and what arrives is read from the inbox table and from a real local
SMTP server (aiosmtpd).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from commonpot import jobs
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.events import menu, signup
from commonpot.events import service as events
from commonpot.events.models import Event
from commonpot.events.recurrence import zone
from commonpot.events.schemas import EventPatch
from commonpot.notifications import service as notes
from commonpot.settings import Settings
from commonpot.templating import format_datetime_in
from tests.factories.accounts import World, form, make_world, sign_in
from tests.factories.events import make_event
from tests.factories.platform import Inbox, body_text
from tests.factories.recipes import make_recipe
from tests.integration import test_platform_notifications as platform

# the notification tests' real SMTP server and job runtime (fixtures), and their helpers
mailbox, runtime = platform.mailbox, platform.runtime
kinds_for, run_all, spanish = platform.kinds_for, platform.run_all, platform.spanish


def _event_with_a_place_and_a_waitlist(db: Database, w: World) -> int:
    """Custodian has the one place, member waits; the outsider has nothing to do with it."""
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        assert community is not None
        event = make_event(s, community, w.steward, capacity=1, title="Tamales night")
        signup.register(s, community, Viewer(user=s.get(User, w.custodian.id)), event)
        waiting = signup.register(s, community, Viewer(user=s.get(User, w.member.id)), event)
        assert waiting.status == signup.WAITLISTED
        return event.id


def _change(db: Database, w: World, event_id: int, **fields: object) -> None:
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        event = s.get(Event, event_id)
        assert community is not None and event is not None
        steward = Viewer(user=s.get(User, w.steward.id))
        events.update_event(s, community, steward, event, EventPatch.model_validate(fields))


def test_time_place_and_menu_changes_reach_confirmed_and_waitlisted_by_their_choice(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    spanish(db, w.member)
    with db.unit_of_work() as s:  # the custodian wants these in the inbox only
        custodian = Viewer(user=s.get(User, w.custodian.id))
        notes.set_preferences(s, custodian, {"event_changed": "inapp"})
    event_id = _event_with_a_place_and_a_waitlist(db, w)
    run_all(runtime)
    with db.unit_of_work(write=False) as s:
        found = s.get(Event, event_id)
        assert found is not None
        later = found.starts_at + timedelta(hours=2)
    _change(db, w, event_id, starts_at=later, ends_at=later + timedelta(hours=3))
    run_all(runtime)
    assert kinds_for(db, w.custodian).count("event_changed") == 1
    assert kinds_for(db, w.member).count("event_changed") == 1  # waitlisted hears too
    assert "event_changed" not in kinds_for(db, w.outsider)
    assert "event_changed" not in kinds_for(db, w.steward)  # the organiser made the change
    (moved,) = mailbox[1].to(w.member.email)
    assert moved["Subject"] == "Cambió: Tamales night"  # the member reads Spanish
    # the new time as a Spanish reader writes it, not as stored ("2026-12-07T04:20+00:00")
    text = body_text(moved)[0]
    assert format_datetime_in(later, "es") in text
    assert later.isoformat(timespec="minutes") not in text
    assert mailbox[1].to(w.custodian.email) == []  # in-app only, as chosen

    # a new title alone tells nobody
    _change(db, w, event_id, title="Tamales and atole night")
    run_all(runtime)
    assert kinds_for(db, w.member).count("event_changed") == 1

    # the menu: a dish added is news, with the whole menu in the message
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        event = s.get(Event, event_id)
        assert community is not None and event is not None
        recipe = make_recipe(s, community, w.steward, name="Red pork tamales")
        steward = Viewer(user=s.get(User, w.steward.id))
        menu.add_recipe(s, community, steward, event, recipe.id)
    run_all(runtime)
    assert kinds_for(db, w.custodian).count("event_changed") == 2
    mails = mailbox[1].to(w.member.email)
    assert len(mails) == 2
    assert "Menú: Red pork tamales" in body_text(mails[-1])[0]


@pytest.fixture
def settings(settings: Settings, mailbox: tuple[str, Inbox]) -> Settings:
    """The app's settings, sending its e-mail to the local SMTP server."""
    return settings.model_copy(update={"smtp_url": mailbox[0], "jobs_backend": "memory"})


def test_the_edit_form_moving_the_place_notifies_and_a_failed_one_does_not(
    client: TestClient, db: Database, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    event_id = _event_with_a_place_and_a_waitlist(db, w)
    runtime: jobs.Jobs = client.app.state.jobs  # type: ignore[attr-defined]  # the app's own
    sign_in(client, db, w.steward)
    url = f"/communities/{w.public.slug}/events/{event_id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    with db.unit_of_work(write=False) as s:
        found = s.get(Event, event_id)
        assert found is not None
        starts = found.starts_at.astimezone(zone(found.timezone)).strftime("%Y-%m-%dT%H:%M")
        ends = found.ends_at.astimezone(zone(found.timezone)).strftime("%Y-%m-%dT%H:%M")
        fields = {
            "title": found.title,
            "starts_at": starts,
            "ends_at": ends,
            "timezone": found.timezone,
            "capacity": "1",
            "visibility": found.visibility,
        }
    refused = client.post(url, data=form({**fields, "location_note": "Plaza", "capacity": "0"}))
    assert refused.status_code == 422
    assert 'value="Plaza"' in refused.text  # what was typed is still there
    run_all(runtime)
    assert "event_changed" not in kinds_for(db, w.member)  # nothing changed, nobody told
    saved = client.post(
        url, data=form({**fields, "location_note": "The plaza"}), follow_redirects=False
    )
    assert saved.status_code == 303
    run_all(runtime)
    assert kinds_for(db, w.member).count("event_changed") == 1
    (moved,) = mailbox[1].to(w.member.email)
    assert "Where: The plaza" in body_text(moved)[0]


def test_cancelling_tells_the_waitlist_too(
    db: Database, runtime: jobs.Jobs, mailbox: tuple[str, Inbox]
) -> None:
    w = make_world(db)
    event_id = _event_with_a_place_and_a_waitlist(db, w)
    with db.unit_of_work() as s:
        community = s.get(Community, w.public.id)
        event = s.get(Event, event_id)
        assert community is not None and event is not None
        events.cancel_event(s, community, Viewer(user=s.get(User, w.steward.id)), event)
    run_all(runtime)
    for person in (w.custodian, w.member):
        assert "event_cancelled" in kinds_for(db, person)
        assert any(m["Subject"] == "Cancelled: Tamales night" for m in mailbox[1].to(person.email))
    assert "event_cancelled" not in kinds_for(db, w.outsider)

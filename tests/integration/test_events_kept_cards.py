"""An event's card on the events page is written from `events.web.card_key`'s values alone
and kept (`_card_html`): it reads exactly as the card template writes the event itself,
for every kind of event and language, on both databases; and a change shows at once."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi.testclient import TestClient

from commonpot.communities.models import Place
from commonpot.db import Database
from commonpot.events.models import Event
from commonpot.events.web import _card_html, card_key
from commonpot.events.web_event import local_time, repeat_of
from commonpot.templating import fragment, make_templates
from tests.factories.accounts import make_world, sign_in
from tests.factories.events import make_event


def test_a_kept_card_reads_as_the_template_writes_the_event_itself(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        place = s.query(Place).filter_by(community_id=world.public.id).first()
        assert place is not None
        make_event(s, world.public, world.steward, title="Plain <supper>")
        make_event(
            s, world.public, world.steward, title="Weekly class", rrule="FREQ=WEEKLY;COUNT=8",
            place_id=place.id, capacity=12, visibility="public",
        )  # fmt: skip
        make_event(
            s, world.public, world.steward, title="Monthly", rrule="FREQ=MONTHLY;INTERVAL=2;COUNT=3"
        )
        make_event(s, world.public, world.steward, title="Now!", kind="flash")
        make_event(
            s,
            world.public,
            world.steward,
            title="Weekly",
            rrule="FREQ=WEEKLY;UNTIL=20271231T000000Z",
        )
    templates = make_templates()
    with db.unit_of_work(write=False) as s:
        events = s.query(Event).filter_by(community_id=world.public.id).all()
        assert len(events) == 5
        for event in events:
            for numbers in (None, {event.id: {"confirmed": 3, "waitlisted": 1}}):
                for locale in ("en", "es"):
                    kept = _card_html(
                        templates, locale, world.public.slug, card_key(event, None, numbers)
                    )
                    direct = fragment(
                        templates,
                        "events/_card.html",
                        locale,
                        e=event,
                        occasion=None,
                        counts=numbers,
                        community=SimpleNamespace(slug=world.public.slug),
                        local_time=local_time,
                        repeat_of=repeat_of,
                    )
                    assert kept == direct
        assert any("Plain &lt;supper&gt;" in _card_html(
            templates, "en", world.public.slug, card_key(e)) for e in events)  # fmt: skip


def test_the_events_page_shows_a_changed_event_at_once(client: TestClient, db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        event_id = make_event(s, world.public, world.steward, title="Soup night").id
    sign_in(client, db, world.member)
    page = "/communities/publicville/events"
    assert "Soup night" in client.get(page).text
    with db.unit_of_work() as s:
        found = s.get(Event, event_id)
        assert found is not None
        found.title = "Stew night"
    after = client.get(page).text
    assert "Stew night" in after and "Soup night" not in after
    assert "Stew night" in client.get(page, headers={"Accept-Language": "es"}).text

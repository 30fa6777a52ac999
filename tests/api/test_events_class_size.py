"""A class's size for elder–youth pairs (learners per elder), kept on the event itself.

Set by form and by the API (organiser or steward), refused with the field named when it is
out of 1..20 or not a whole number, and nothing changes then; the pairing follows it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from commonpot.accounts.models import User
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.events.models import Event
from tests.factories.accounts import bearer, form, make_user, make_world, sign_in
from tests.factories.events import as_viewer, make_event
from tests.factories.governance import fetch_community

PAGES = "/communities/publicville/events"
API = "/api/communities/publicville/events"


def _class(db: Database, w: Any, learners: int = 3) -> int:
    """A class with one elder (the custodian) and `learners` apprentices; its id."""
    from commonpot.communities.service import add_member
    from commonpot.events import signup

    with db.unit_of_work() as s:
        community = fetch_community(s, "publicville")
        event = make_event(
            s,
            community,
            s.get(User, w.steward.id),
            title="Tamales with Rosa",
            kind="class",
            roles=[{"name": "elder"}, {"name": "apprentice"}],
        )
        signup.register(s, community, as_viewer(s.get(User, w.custodian.id)), event, role="elder")
        for i in range(learners):
            youth = make_user(s, f"youth{i}")
            add_member(s, community, youth, "member")
            signup.register(s, community, as_viewer(youth), event, role="apprentice")
        return int(event.id)


def _stored(db: Database, event_id: int) -> tuple[int, dict[str, Any]]:
    """The event's class size and its community's settings, as stored."""
    with db.unit_of_work(write=False) as s:
        event = s.get(Event, event_id)
        assert event is not None
        community = s.get(Community, event.community_id)
        assert community is not None
        return event.learners_per_elder, dict(community.settings or {})


def test_the_api_sets_the_class_size_and_the_pairing_follows(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    event_id = _class(db, w)
    steward, member = bearer(db, w.steward), bearer(db, w.member)
    pairs = client.get(f"{API}/{event_id}/pairs", headers=member).json()
    assert pairs["learners_per_elder"] == 1 and len(pairs["pairs"]) == 1
    assert client.get(f"{API}/{event_id}", headers=member).json()["learners_per_elder"] == 1
    url = f"{API}/{event_id}/class-size"
    refused = client.put(url, json={"learners_per_elder": 3}, headers=member)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert _stored(db, event_id)[0] == 1
    done = client.put(url, json={"learners_per_elder": 3}, headers=steward)
    assert done.status_code == 200, done.text
    assert done.json()["learners_per_elder"] == 3
    assert len(done.json()["pairs"]) == 3  # one elder, all three learners
    assert done.json()["unpaired_learners"] == []
    assert client.get(f"{API}/{event_id}", headers=member).json()["learners_per_elder"] == 3
    size, settings = _stored(db, event_id)
    assert size == 3
    assert not [k for k in settings if k.startswith("events.learners_per_elder")]
    missing = client.put(
        f"{API}/999999/class-size", json={"learners_per_elder": 2}, headers=steward
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"learners_per_elder": 0}, "learners_per_elder"),
        ({"learners_per_elder": 21}, "learners_per_elder"),
        ({"learners_per_elder": -3}, "learners_per_elder"),
        ({"learners_per_elder": "3"}, "learners_per_elder"),
        ({"learners_per_elder": True}, "learners_per_elder"),
        ({"learners_per_elder": 2.5}, "learners_per_elder"),
        ({"learners_per_elder": 10**30}, "body"),  # past 64 bits: the JSON guard refuses it
        ({}, "learners_per_elder"),
        ({"learners_per_elder": 2, "extra": 1}, "extra"),
    ],
)
def test_a_bad_class_size_is_a_problem_naming_the_field(
    client: TestClient, db: Database, body: dict[str, Any], field: str
) -> None:
    w = make_world(db)
    event_id = _class(db, w, learners=1)
    steward = bearer(db, w.steward)
    client.put(f"{API}/{event_id}/class-size", json={"learners_per_elder": 4}, headers=steward)
    before = _stored(db, event_id)
    bad = client.put(f"{API}/{event_id}/class-size", json=body, headers=steward)
    assert bad.status_code == 422, bad.text
    assert bad.headers["content-type"] == "application/problem+json"
    problem = bad.json()
    assert problem["field"] == field, problem
    assert _stored(db, event_id) == before == (4, before[1])


def test_the_form_refuses_a_size_out_of_range_and_keeps_the_typed_value(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    event_id = _class(db, w)
    sign_in(client, db, w.steward)
    url = f"{PAGES}/{event_id}/class-size"
    for typed in ("21", "abc", "0"):
        bad = client.post(url, data=form({"learners_per_elder": typed}))
        assert bad.status_code == 422
        assert f'name="learners_per_elder" type="number" min="1" max="20" value="{typed}"' in (
            bad.text
        )
        assert 'aria-invalid="true"' in bad.text
        assert _stored(db, event_id)[0] == 1
    saved = client.post(url, data=form({"learners_per_elder": "2"}), follow_redirects=True)
    assert saved.status_code == 200
    assert "Each elder takes up to 2 learners." in saved.text
    assert _stored(db, event_id)[0] == 2


def test_pins_beyond_the_new_size_are_refused(client: TestClient, db: Database) -> None:
    from commonpot.events import planning

    w = make_world(db)
    event_id = _class(db, w)
    steward = bearer(db, w.steward)
    url = f"{API}/{event_id}/class-size"
    assert client.put(url, json={"learners_per_elder": 2}, headers=steward).status_code == 200
    with db.unit_of_work() as s:
        community = fetch_community(s, "publicville")
        event = s.get(Event, event_id)
        assert event is not None
        viewer = as_viewer(s.get(User, w.steward.id))  # type: ignore[arg-type]
        learners = [p.learner_id for p in planning.pairs(s, community, viewer, event).result.pairs]
        for learner in learners[:2]:
            planning.set_rule(
                s,
                community,
                viewer,
                event,
                teacher_id=w.custodian.id,
                learner_id=learner,
                rule="pin",
            )
    shrink = client.put(url, json={"learners_per_elder": 1}, headers=steward)
    assert shrink.status_code == 422
    assert shrink.json()["field"] == "learners_per_elder"
    assert _stored(db, event_id)[0] == 2

"""The last mile's pages: recipients confirm, donors hand over, others see nothing of it."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.service import Viewer
from commonpot.db import Database, utcnow
from commonpot.network import runs
from commonpot.network.models import Handover, Offer
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.factories.network import add_need, add_offer

PAGE = "/communities/publicville/network"
API = "/api/communities/publicville/network"


def commit_one(db: Database, w) -> int:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        offer = add_offer(s, community, w.member, 5, category="plums")
        offer.unit = "jars"
        offer.description = "Blue door, Mill Lane 4"
        add_need(s, community, w.custodian, 2, 0.4, category="plums")
        run = runs.create_run(s, community, Viewer(user=w.steward))
        runs.commit_run(s, community, Viewer(user=w.steward), run.id)
        return s.scalars(select(Handover.id)).one()


def test_recipient_confirms_donor_hands_over(client: TestClient, db: Database) -> None:
    w = make_world(db)
    hid = commit_one(db, w)
    sign_in(client, db, w.custodian)
    mine = client.get(f"{PAGE}/my-food")
    assert mine.status_code == 200
    assert "2 jars · plums" in mine.text
    assert "Blue door, Mill Lane 4" in mine.text
    assert "Member" in mine.text  # from whom
    assert f'data-handover="{hid}" data-state="proposed"' in mine.text

    bad = client.post(
        f"{PAGE}/handovers/{hid}/confirm",
        data=form({"window_start": "2099-01-01T10:00", "window_end": "2099-01-01T09:00"}),
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert 'value="2099-01-01T09:00"' in bad.text  # what was typed comes back
    assert re.search(r'name="window_end"[^>]*aria-invalid="true"', bad.text)
    with db.unit_of_work(write=False) as s:
        assert s.get(Handover, hid).state == "proposed"  # nothing stored

    day = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%d")
    ok = client.post(
        f"{PAGE}/handovers/{hid}/confirm",
        data=form({"window_start": f"{day}T10:00", "window_end": f"{day}T11:30"}),
        follow_redirects=False,
    )
    assert ok.status_code == 303
    # the donor cannot confirm for the recipient, nor another member hand it over
    sign_in(client, db, w.member)
    assert client.post(f"{PAGE}/handovers/{hid}/decline", data=form({})).status_code == 200
    with db.unit_of_work(write=False) as s:
        assert s.get(Handover, hid).state == "confirmed"
    offers = client.get(f"{PAGE}/my-offers")
    assert "Custodian" in offers.text and "2 jars · plums" in offers.text
    done = client.post(
        f"{PAGE}/handovers/{hid}/handed-over",
        data=form({"back": "offers"}),
        follow_redirects=False,
    )
    assert done.status_code == 303
    with db.unit_of_work(write=False) as s:
        h = s.get(Handover, hid)
        assert h.state == "handed_over"
        assert s.get(Offer, h.offer_id).allocated == 2


def test_handovers_stay_with_the_people_involved(client: TestClient, db: Database) -> None:
    w = make_world(db)
    hid = commit_one(db, w)
    sign_in(client, db, w.steward)  # neither donor nor recipient: sees none on "my" pages
    assert "plums" not in client.get(f"{PAGE}/my-food").text
    sign_in(client, db, w.outsider)
    assert client.get(f"{PAGE}/my-food").status_code == 403
    refused = client.post(f"{PAGE}/handovers/{hid}/confirm", data=form({}))
    assert refused.status_code in (403, 404)
    sign_in(client, db, w.private_member)
    assert client.get("/communities/privatehill/network/my-food").status_code == 200
    # another community's id answers as a missing one
    hidden = client.post(f"/communities/privatehill/network/handovers/{hid}/confirm", data=form({}))
    assert hidden.status_code == 404
    sign_in(client, db, w.outsider)
    assert client.get("/communities/privatehill/network/my-food").status_code == 404
    assert client.get("/communities/privatehill/network/live").status_code == 404


def test_volunteer_signs_up_and_gets_a_route(client: TestClient, db: Database) -> None:
    w = make_world(db)
    hid = commit_one(db, w)
    with db.unit_of_work(write=False) as s:
        h = s.get(Handover, hid)
        day = h.window_start.strftime("%Y-%m-%d")
        start, end = h.window_start, h.window_end
    sign_in(client, db, w.steward)
    bad = client.post(
        f"{PAGE}/slots",
        data=form(
            {"starts_at": "tomorrow", "ends_at": "", "capacity": "10", "lat": "52", "lon": "5"}
        ),
        follow_redirects=False,
    )
    assert bad.status_code == 422 and 'value="tomorrow"' in bad.text
    slot_from = (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    slot_to = (end + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(
        f"{PAGE}/slots",
        data=form(
            {"starts_at": slot_from, "ends_at": slot_to, "capacity": "10", "lat": "52", "lon": "5"}
        ),
        follow_redirects=False,
    )
    assert ok.status_code == 303
    planned = client.post(f"{PAGE}/runs/routes", data=form({"day": day}), follow_redirects=False)
    assert planned.status_code == 303
    carry = client.get(f"{PAGE}/carry")
    slot_url = re.search(r'href="(/communities/publicville/network/slots/\d+)"', carry.text)
    assert slot_url is not None
    page = client.get(slot_url.group(1))
    assert page.status_code == 200
    stops = re.findall(r'data-action="(\w+)"', page.text)
    assert stops == ["pickup", "dropoff"]
    assert "Load" in page.text and "Unload" in page.text and "Custodian" in page.text
    with db.unit_of_work(write=False) as s:
        assert s.get(Handover, hid).volunteer_id == w.steward.id
    sign_in(client, db, w.member)  # another member does not see the volunteer's route
    assert client.get(slot_url.group(1)).status_code == 403


def test_run_page_is_readable_and_private(client: TestClient, db: Database) -> None:
    w = make_world(db)
    commit_one(db, w)
    with db.unit_of_work() as s:  # a second recipient the custodian must not see named
        community = s.merge(w.public)
        add_offer(s, community, w.steward, 3, category="bread")
        add_need(s, community, w.member, 3, 0.2, category="bread")
        run = runs.create_run(s, community, Viewer(user=w.steward))
        runs.commit_run(s, community, Viewer(user=w.steward), run.id)
        run_id = run.id
        first_run = run_id - 1
    sign_in(client, db, w.steward)
    full = client.get(f"{PAGE}/runs/{first_run}")
    assert full.status_code == 200
    assert "2 jars · plums" in full.text and "Custodian" in full.text and "Member" in full.text
    assert "Blue door, Mill Lane 4" in full.text
    assert "#1 →" not in full.text
    sign_in(client, db, w.custodian)
    mine = client.get(f"{PAGE}/runs/{first_run}")
    assert mine.status_code == 200
    assert "Fairness report" in mine.text and "Your part in this run" in mine.text
    assert "2 jars · plums" in mine.text  # the custodian's own line
    other = client.get(f"{PAGE}/runs/{run_id}")
    assert other.status_code == 200
    assert "bread" in other.text  # the food summary has no names...
    assert "Member" not in other.text.split('id="lines-h"')[1]  # ...and no one else's line
    assert "You have no part in this run." in other.text
    sign_in(client, db, w.outsider)
    assert client.get(f"{PAGE}/runs/{run_id}").status_code == 403


def test_live_updates_reach_only_the_people_involved(client: TestClient, db: Database) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        add_offer(s, community, w.steward, 2, category="plums")
        add_need(s, community, w.custodian, 2, 0.2, category="plums")
        add_offer(s, community, w.member, 2, category="figs")
        add_need(s, community, w.custodian, 2, 0.3, category="figs")
        run = runs.create_run(s, community, Viewer(user=w.steward))
        runs.commit_run(s, community, Viewer(user=w.steward), run.id)
        by_food = {h.category: h.id for h in s.scalars(select(Handover))}
    custodian = bearer(db, w.custodian)
    lines: list[str] = []
    with client.stream("GET", f"{PAGE}/live?limit=1", headers=bearer(db, w.member)) as stream:
        chunks = stream.iter_lines()
        while not next(chunks).startswith(": connected"):
            pass
        # the member is not part of the plums: that update must not reach them
        client.post(f"{API}/handovers/{by_food['plums']}/confirm", headers=custodian)
        client.post(f"{API}/handovers/{by_food['figs']}/confirm", headers=custodian)
        for line in chunks:
            if line and not line.startswith(":"):
                lines.append(line)
            if line.startswith("data:"):
                break
    assert lines[0] == "event: handover"
    assert f'"id": {by_food["figs"]}' in lines[1] and '"state": "confirmed"' in lines[1]
    assert "Custodian" not in lines[1]  # ids and states only, never names
    # a private community's stream is not there for outsiders, nor for other members' eyes
    assert (
        client.get(
            "/communities/privatehill/network/live", headers=bearer(db, w.member)
        ).status_code
        == 404
    )


def test_the_periodic_sweep_expires_missed_windows_and_follows_up(
    client: TestClient, db: Database
) -> None:
    from commonpot import jobs
    from commonpot.network.jobs import SWEEP_JOB

    w = make_world(db)
    hid = commit_one(db, w)
    with db.unit_of_work() as s:
        h = s.get(Handover, hid)
        h.window_start = utcnow() - timedelta(hours=6)
        h.window_end = utcnow() - timedelta(hours=3)
        community = s.merge(w.public)
        add_need(s, community, w.steward, 2, 0.1, category="plums")  # the next need
        job_id = jobs.enqueue(s, SWEEP_JOB, {}).id
    runtime = client.app.state.jobs  # type: ignore[attr-defined]
    runtime.dispatch(job_id)  # what the schedule does every 15 minutes
    assert runtime.drain() >= 1
    with db.unit_of_work(write=False) as s:
        h = s.get(Handover, hid)
        assert h.state == "expired" and h.reallocated_in is not None
        follow = s.scalars(select(Handover).where(Handover.run_id == h.reallocated_in)).all()
        assert [(f.recipient_id, f.quantity, f.unit) for f in follow] == [(w.steward.id, 2, "jars")]

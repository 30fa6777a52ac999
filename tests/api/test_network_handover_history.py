"""A person's own handovers, a hundred at a time (both databases).

"My food", "My offers" and "Food to carry" listed every handover a person ever had, sorted
in Python: a food bank's donor or a regular driver gathers thousands over the years. Now
the database orders them (what is still to come first, soonest first; then the rest, the
latest first) and the page shows a hundred with a pager (`?history=`); the API's list takes
the opt-in `limit`/`offset`, in the same order.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from commonpot.db import Database
from commonpot.network.models import Handover
from tests.factories.accounts import bearer, make_world, sign_in
from tests.factories.network import big_committed_run
from tests.factories.pages import pager_of

PAGE = "/communities/publicville/network/my-food"
API = "/api/communities/publicville/network/handovers"


def _shown(text: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="card handover" id="handover-(\d+)"', text)]


def test_my_food_lists_what_is_coming_first_then_the_latest_a_hundred_at_a_time(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    big_committed_run(db, w)  # 130 handovers to the custodian
    base = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with db.unit_of_work() as s:
        ids = list(s.scalars(select(Handover.id).order_by(Handover.id)))
        assert len(ids) == 130
        for i, handover_id in enumerate(ids):
            closed = i >= 6  # six still to come; the rest handed over, on many days
            start = base + timedelta(hours=(i * 37) % 500)
            s.execute(
                update(Handover)
                .where(Handover.id == handover_id)
                .values(
                    state="handed_over" if closed else "proposed",
                    window_start=start,
                    window_end=start + timedelta(hours=2),
                )
            )
    with db.unit_of_work() as s:
        rows = s.execute(select(Handover.id, Handover.state, Handover.window_start)).all()
    coming = sorted(
        (r for r in rows if r.state == "proposed"), key=lambda r: (r.window_start, r.id)
    )
    past = sorted(
        (r for r in rows if r.state != "proposed"),
        key=lambda r: (-r.window_start.timestamp(), r.id),
    )
    expected = [r.id for r in coming + past]

    sign_in(client, db, w.custodian)
    first = client.get(PAGE)
    assert first.status_code == 200
    assert _shown(first.text) == expected[:100]
    said, links = pager_of(first.text)
    assert said == "1–100 of 130" and links == {"next": f"{PAGE}?history=2"}
    second = client.get(links["next"])
    assert _shown(second.text) == expected[100:]
    assert pager_of(second.text)[1] == {"prev": PAGE}
    assert _shown(client.get(f"{PAGE}?history=9").text) == []
    for bad in ("0", "x", "-1"):
        assert client.get(f"{PAGE}?history={bad}").status_code == 422
    spanish = client.get(PAGE, headers={"Accept-Language": "es"}).text
    assert "1–100 de 130" in spanish and "Páginas de tus entregas" in spanish

    # the same order through the API, a page at a time when asked
    custodian = bearer(db, w.custodian)
    whole = client.get(API, headers=custodian).json()
    assert [h["id"] for h in whole] == expected
    page = client.get(f"{API}?limit=50&offset=100", headers=custodian)
    assert [h["id"] for h in page.json()] == expected[100:]
    assert 'rel="prev"' in page.headers["link"] and 'rel="next"' not in page.headers["link"]
    # a donor pages through their own only
    member = bearer(db, w.member)
    given = client.get(f"{API}?role=donor&limit=25", headers=member)
    assert len(given.json()) == 25 and "offset=25" in given.headers["link"]
    assert {h["donor_id"] for h in given.json()} == {w.member.id}


def test_the_carry_page_keeps_each_lists_page(client: TestClient, db: Database) -> None:
    w = make_world(db)
    big_committed_run(db, w)
    with db.unit_of_work() as s:  # the member carries all of them
        s.execute(update(Handover).values(volunteer_id=w.member.id))
    sign_in(client, db, w.member)
    carry = "/communities/publicville/network/carry"
    first = client.get(f"{carry}?page=2")
    assert first.status_code == 200
    said, links = pager_of(first.text[: first.text.index('id="slot-h"')])
    assert said == "1–100 of 130" and links == {"next": f"{carry}?page=2&history=2"}
    assert client.get(f"{carry}?history=0").status_code == 422

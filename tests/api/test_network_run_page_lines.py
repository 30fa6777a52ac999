"""A city's allocation run on its page: a hundred lines at a time, on both databases.

The page read every line of the run (with its offer and need) and every handover three
times (lines, food summary, progress), and filtered a member's own lines in Python: a run
over 3,000 offers and needs took 1.2-1.7 s and 3.4 MB. Now the database picks the viewer's
lines and the page, and sums the food and the progress.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot.accounts.service import Viewer
from commonpot.db import Database
from commonpot.network import handovers, reports, runs
from commonpot.network.models import Handover, HandoverState
from tests.factories.accounts import make_world, sign_in
from tests.factories.network import big_committed_run
from tests.factories.pages import pager_of

PAGE = "/communities/publicville/network/runs"


def _lines(text: str) -> list[str]:
    return re.findall(r'<tr data-line="(\d+)">', text)


def test_a_steward_reads_a_big_run_a_hundred_lines_at_a_time(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    run_id = big_committed_run(db, w)
    sign_in(client, db, w.steward)
    first = client.get(f"{PAGE}/{run_id}")
    assert first.status_code == 200
    shown = _lines(first.text)
    assert len(shown) == reports.SHOWN
    assert shown == sorted(shown, key=int)  # in line order
    said, links = pager_of(first.text)
    assert said == "1–100 of 130" and links == {"next": f"{PAGE}/{run_id}?page=2"}
    second = client.get(links["next"])
    rest = _lines(second.text)
    assert len(rest) == 30 and not set(rest) & set(shown)
    said, links = pager_of(second.text)
    assert said == "101–130 of 130" and links == {"prev": f"{PAGE}/{run_id}"}
    beyond = client.get(f"{PAGE}/{run_id}?page=3")
    assert beyond.status_code == 200 and _lines(beyond.text) == []
    assert "No lines on this page." in beyond.text
    for bad in ("0", "x", "-2"):
        refused = client.get(f"{PAGE}/{run_id}?page={bad}")
        assert refused.status_code == 422 and "page" in refused.text


def test_a_member_pages_through_her_own_lines_only(client: TestClient, db: Database) -> None:
    w = make_world(db)
    run_id = big_committed_run(db, w)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        run = runs._run(s, community, run_id)
        every = reports.lines(s, community, Viewer(user=w.steward), run, full=True, limit=1000)
        mine = [row["id"] for row in every.rows if row["donor"] == "Member"]
    assert every.total == 130 and len(mine) == 40
    sign_in(client, db, w.member)
    page = client.get(f"{PAGE}/{run_id}")
    assert page.status_code == 200
    assert [int(i) for i in _lines(page.text)] == mine  # hers, and no one else's
    assert pager_of(page.text)[0] is None  # all of them on one page
    sign_in(client, db, w.custodian)  # receives all 130: two pages of her own
    said, links = pager_of(client.get(f"{PAGE}/{run_id}").text)
    assert said == "1–100 of 130" and links == {"next": f"{PAGE}/{run_id}?page=2"}


def test_the_food_and_the_progress_are_summed_as_the_handovers_say(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    run_id = big_committed_run(db, w)
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        every = list(s.scalars(select(Handover).where(Handover.run_id == run_id)))
        for h in every[:10]:
            h.state = HandoverState.HANDED_OVER.value
        for h in every[10:15]:
            h.state = HandoverState.DECLINED.value
    with db.unit_of_work() as s:
        community = s.merge(w.public)
        run = runs._run(s, community, run_id)
        every = list(s.scalars(select(Handover).where(Handover.run_id == run_id)))
        expected: dict[tuple[str, str], list[int]] = {}
        for h in every:
            item = expected.setdefault((h.category, h.unit), [0, 0])
            item[0] += h.quantity
            item[1] += h.quantity if h.state == "handed_over" else 0
        summary = reports.food_summary(s, community, run)
        assert [(f["category"], f["unit"], f["allocated"], f["handed_over"]) for f in summary] == [
            (*key, *value) for key, value in sorted(expected.items())
        ]
        progress = handovers.run_progress(s, community, run_id)
        assert set(progress) == {state.value for state in HandoverState}
        for state in HandoverState:
            assert progress[state.value] == sum(h.quantity for h in every if h.state == state.value)
        assert progress["handed_over"] == 10 and progress["declined"] == 5


def test_the_handovers_waiting_for_a_carrier_come_a_hundred_at_a_time_soonest_first(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    run_id = big_committed_run(db, w)
    with db.unit_of_work() as s:
        waiting = list(
            s.scalars(
                select(Handover)
                .where(Handover.run_id == run_id)
                .order_by(Handover.window_start, Handover.id)
            )
        )
    assert len(waiting) == 130
    carry = "/communities/publicville/network/carry"
    sign_in(client, db, w.member)
    first = client.get(carry)
    assert first.status_code == 200
    rows = [int(i) for i in re.findall(r'<tr data-handover="(\d+)">', first.text)]
    assert rows == [h.id for h in waiting[:100]]  # the soonest hundred, in order
    said, links = pager_of(first.text)
    assert said == "1–100 of 130" and links["next"] == f"{carry}?page=2"
    second = client.get(links["next"])
    rest = [int(i) for i in re.findall(r'<tr data-handover="(\d+)">', second.text)]
    assert rest == [h.id for h in waiting[100:]]
    assert client.get(f"{carry}?page=nope").status_code == 422
    with db.unit_of_work() as s:  # someone carries the soonest: it leaves the list
        s.get(Handover, waiting[0].id).volunteer_id = w.steward.id  # type: ignore[union-attr]
    again = client.get(carry)
    assert pager_of(again.text)[0] == "1–100 of 129"
    assert f'data-handover="{waiting[0].id}"' not in again.text

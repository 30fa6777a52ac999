"""The sharing page lists a city's network a hundred rows at a time, on both databases.

It listed every open offer and need: 3,000 of each made a 3.2 MB page that took 0.4 s to
build. Now each list shows `SHOWN` rows, newest first, says which of how many, links to the
newer and the older ones (each list pages on its own, keeping the other's page and the
category), and narrows to one kind of food; the map shows what the lists show.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from commonpot.accounts.models import User
from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.network.models import Need, Offer
from commonpot.network.offers import SHOWN
from tests.factories.accounts import World, make_world, sign_in
from tests.factories.pages import pager_of

PAGE = "/communities/publicville/network"
KINDS = ("apples", "beans", "chard")


def _many(db: Database, model: type[Offer] | type[Need], user: User, n: int) -> list[int]:
    """`n` open rows of `model` by `user`, their kinds in turn (KINDS); their ids, in order."""
    with db.unit_of_work() as s:
        community = s.scalars(select(Community).where(Community.slug == "publicville")).one()
        s.execute(
            insert(model),
            [
                {
                    "community_id": community.id,
                    "user_id": user.id,
                    "category": KINDS[i % len(KINDS)],
                    "quantity": 1000 + i,
                    "lat": 52.0 + i * 1e-4,
                    "lon": 5.0,
                }
                for i in range(n)
            ],
        )
        return list(s.scalars(select(model.id).where(model.user_id == user.id).order_by(model.id)))


def _rows(text: str, section: str) -> list[str]:
    """The first cell of each row of a list (`offers-h`, `needs-h`), in order."""
    start = text.index(f'id="{section}"')
    part = text[start : text.find("</section>", start)]
    return [html.unescape(c) for c in re.findall(r"<tr[^>]*><td>([a-z]+)", part)]


def _pager(text: str, section: str) -> dict[str, Any]:
    start = text.index(f'id="{section}"')
    part = text[start : text.find("</section>", start)]
    said, links = pager_of(part)
    return {"said": said, **links}


def _markers(text: str) -> list[dict[str, Any]]:
    found = re.search(r"data-markers='([^']*)'", text)
    assert found is not None
    markers: list[dict[str, Any]] = json.loads(html.unescape(found.group(1)))
    return markers


def _world(db: Database) -> tuple[World, list[int], list[int], list[int]]:
    w = make_world(db)
    offers = _many(db, Offer, w.member, 250)
    mine = _many(db, Need, w.member, 30)
    theirs = _many(db, Need, w.custodian, 200)
    return w, offers, mine, theirs


def test_each_list_shows_a_hundred_newest_first_and_pages_on_its_own(
    client: TestClient, db: Database
) -> None:
    w, offers, _mine, _theirs = _world(db)
    sign_in(client, db, w.steward)
    first = client.get(PAGE)
    assert first.status_code == 200
    assert len(_rows(first.text, "offers-h")) == SHOWN
    assert len(_rows(first.text, "needs-h")) == SHOWN  # a steward's: every open need
    newest = f"/communities/publicville/network/offers/{offers[-1]}/withdraw"
    oldest = f"/communities/publicville/network/offers/{offers[0]}/withdraw"
    assert newest in first.text and oldest not in first.text
    pager = _pager(first.text, "offers-h")
    assert pager["said"] == "1–100 of 250" and "prev" not in pager
    assert pager["next"] == f"{PAGE}?offers_page=2"
    assert _pager(first.text, "needs-h")["said"] == "1–100 of 230"
    # the map shows what the lists show (and 300 markers of 480 rows would not fit)
    kinds = [m["kind"] for m in _markers(first.text)]
    assert kinds.count("offer") == SHOWN and kinds.count("need") == SHOWN

    second = client.get(pager["next"] + "&needs_page=3")
    assert second.status_code == 200
    assert len(_rows(second.text, "offers-h")) == SHOWN
    assert len(_rows(second.text, "needs-h")) == 30
    offers_pager = _pager(second.text, "offers-h")
    assert offers_pager["said"] == "101–200 of 250"
    assert offers_pager["prev"] == f"{PAGE}?needs_page=3"  # back to offers' first page
    assert offers_pager["next"] == f"{PAGE}?offers_page=3&needs_page=3"
    needs_pager = _pager(second.text, "needs-h")
    assert needs_pager["said"] == "201–230 of 230" and "next" not in needs_pager
    assert needs_pager["prev"] == f"{PAGE}?offers_page=2&needs_page=2"

    last = client.get(f"{PAGE}?offers_page=3")
    assert len(_rows(last.text, "offers-h")) == 50
    assert oldest in last.text and newest not in last.text


def test_a_member_pages_through_her_own_needs_only(client: TestClient, db: Database) -> None:
    w, _offers, mine, theirs = _world(db)
    sign_in(client, db, w.member)
    page = client.get(PAGE)
    assert len(_rows(page.text, "needs-h")) == 30
    assert _pager(page.text, "needs-h")["said"] is None  # all of them shown: no pager
    withdraw = "/communities/publicville/network/needs/{}/withdraw"
    assert withdraw.format(mine[-1]) in page.text
    assert not any(withdraw.format(i) in page.text for i in theirs)


def test_one_kind_of_food_narrows_both_lists_and_their_counts(
    client: TestClient, db: Database
) -> None:
    w, _offers, _mine, _theirs = _world(db)
    sign_in(client, db, w.steward)
    page = client.get(PAGE)
    options = re.findall(r'<option value="([a-z]*)"', page.text.split('id="network-category"')[1])
    assert options[: len(KINDS) + 1] == ["", *KINDS]
    beans = client.get(f"{PAGE}?category=Beans")  # as typed: kinds are stored in lower case
    assert beans.status_code == 200
    assert set(_rows(beans.text, "offers-h")) == {"beans"}
    assert len(_rows(beans.text, "offers-h")) == 83  # of 250 offers, every third
    assert _pager(beans.text, "offers-h")["said"] is None  # every one shown: no pager
    needs_said = _pager(beans.text, "needs-h")["said"]
    assert needs_said is None and set(_rows(beans.text, "needs-h")) == {"beans"}
    assert len(_rows(beans.text, "needs-h")) == 10 + 67  # 30 and 200 needs, every third
    assert '<option value="beans" selected>' in beans.text
    nothing = client.get(f"{PAGE}?category=durian")
    assert _rows(nothing.text, "offers-h") == []
    assert "No open offers." in nothing.text


def test_a_page_number_that_is_no_page_is_refused_naming_it(
    client: TestClient, db: Database
) -> None:
    w, _offers, _mine, _theirs = _world(db)
    sign_in(client, db, w.steward)
    for bad in ("0", "two", "-1", "1e3", "100001"):
        refused = client.get(f"{PAGE}?offers_page={bad}")
        assert refused.status_code == 422, bad
        assert "offers_page" in refused.text
    refused = client.get(f"{PAGE}?needs_page=0", headers={"Accept": "application/problem+json"})
    assert refused.status_code == 422
    beyond = client.get(f"{PAGE}?offers_page=9")  # past the last: an empty list, a way back
    assert beyond.status_code == 200 and _rows(beyond.text, "offers-h") == []
    assert _pager(beyond.text, "offers-h")["prev"] == f"{PAGE}?offers_page=8"


def test_quantities_read_in_the_readers_language(client: TestClient, db: Database) -> None:
    w, _offers, _mine, _theirs = _world(db)
    sign_in(client, db, w.steward)
    spanish = client.get(PAGE, headers={"Accept-Language": "es"})
    assert "1.249 / 1.249" in spanish.text  # the newest offer, nothing allocated yet
    assert "1–100 de 250" in spanish.text and "Más antiguas" in spanish.text
    names = [m["name"] for m in _markers(spanish.text)]
    assert "apples: 1.249 raciones" in names, names[:3]  # the unit in her words too
    english = client.get(PAGE, headers={"Accept-Language": "en"})
    assert "1,249 / 1,249" in english.text

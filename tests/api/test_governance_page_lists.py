"""The governance page of a community that has decided many things, on both databases.

It listed every proposal ever made, grouped by state, and its delegation form offered every
member: years of decisions in a city's mutual-aid group made a page of megabytes. Now each
state shows its newest few and its count, with a link to all of that state a hundred at a
time; proposals are found by title; and the delegation form lists the first hundred members
and finds the others by name.
"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from commonpot.communities.models import Community
from commonpot.communities.roles import add_member
from commonpot.db import Database
from commonpot.governance.delegation import DELEGATE_SHOWN
from commonpot.governance.models import Proposal
from commonpot.governance.proposals import GROUP_SHOWN, LIST_SHOWN
from tests.factories.accounts import World, make_user, make_world, sign_in
from tests.factories.pages import pager_of

PAGE = "/communities/publicville/governance"


def _decided(db: Database, w: World) -> dict[str, list[int]]:
    """130 executed, 3 defeated, 2 active proposals and a draft by the member (numbered in
    that order, every 10th titled about apples); the numbers by state."""
    states = ["executed"] * 130 + ["defeated"] * 3 + ["active"] * 2 + ["draft"]
    with db.unit_of_work() as s:
        community = s.scalars(select(Community).where(Community.slug == "publicville")).one()
        s.execute(
            insert(Proposal),
            [
                {
                    "community_id": community.id,
                    "number": n,
                    "title": f"Apple orchard {n}" if n % 10 == 0 else f"Decision {n}",
                    "author_id": w.member.id if state == "draft" else w.steward.id,
                    "state": state,
                    "method": "majority",
                    "action_hash": "0" * 64,
                }
                for n, state in enumerate(states, start=1)
            ],
        )
    numbers: dict[str, list[int]] = {}
    for n, state in enumerate(states, start=1):
        numbers.setdefault(state, []).insert(0, n)  # newest first
    return numbers


def _listed(part: str) -> list[int]:
    return [int(n) for n in re.findall(r"/governance/proposals/(\d+)\"", part)]


def _group(text: str, state: str) -> str:
    start = text.index(f'id="state-{state}"')
    return text[start : text.index("</section>", start)]


def _found(text: str) -> str:
    start = text.index('id="found-h"')
    return text[start : text.index("</section>", start)]


def test_each_state_shows_its_newest_and_links_to_all_of_them_a_page_at_a_time(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    numbers = _decided(db, w)
    page = client.get(PAGE)  # a visitor: the public community's decisions, no drafts
    assert page.status_code == 200
    executed = _group(page.text, "executed")
    assert _listed(executed) == numbers["executed"][:GROUP_SHOWN]
    assert re.search(r'class="badge">130<', executed)
    assert f'href="{PAGE}?state=executed">All 130<' in executed
    defeated = _group(page.text, "defeated")
    assert _listed(defeated) == numbers["defeated"] and "?state=defeated" not in defeated
    assert 'id="state-draft"' not in page.text
    assert page.text.index('id="state-active"') < page.text.index('id="state-executed"')
    assert len(page.content) < 60_000  # was every proposal ever made

    first = client.get(f"{PAGE}?state=executed")
    assert first.status_code == 200 and 'id="state-executed"' not in first.text
    found = _found(first.text)
    assert _listed(found) == numbers["executed"][:LIST_SHOWN]
    said, links = pager_of(found)
    assert said == f"1–{LIST_SHOWN} of 130" and links == {"next": f"{PAGE}?state=executed&page=2"}
    rest = _found(client.get(links["next"]).text)
    assert _listed(rest) == numbers["executed"][LIST_SHOWN:]
    assert pager_of(rest)[1] == {"prev": f"{PAGE}?state=executed"}
    assert client.get(f"{PAGE}?state=draft").text.count("/governance/proposals/") == 0

    spanish = client.get(f"{PAGE}?state=executed", headers={"Accept-Language": "es"})
    assert f"1–{LIST_SHOWN} de 130" in html.unescape(spanish.text)
    assert "Todas las propuestas" in spanish.text


def test_proposals_are_found_by_title_and_a_bad_address_is_refused(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    numbers = _decided(db, w)
    sign_in(client, db, w.custodian)
    found = client.get(f"{PAGE}?title=APPLE")
    assert found.status_code == 200
    apples = [
        n for n in sorted((n for ns in numbers.values() for n in ns), reverse=True) if n % 10 == 0
    ]
    assert _listed(_found(found.text)) == apples and pager_of(_found(found.text))[0] is None
    assert 'value="APPLE"' in found.text  # the search box keeps what was typed
    both = client.get(f"{PAGE}?title=orchard&state=defeated")
    assert _listed(_found(both.text)) == [n for n in apples if n in numbers["defeated"]]
    none = client.get(f"{PAGE}?title=%25")  # "%" is a character, not a pattern
    assert _listed(_found(none.text)) == [] and "No proposal matches." in none.text
    for bad in ("state=voting", "state=DRAFT", "page=0", "page=two"):
        refused = client.get(f"{PAGE}?{bad}")
        assert refused.status_code == 422, bad
        assert bad.split("=")[0] in refused.text
    # the author finds their own draft; others do not
    sign_in(client, db, w.member)
    assert _listed(_found(client.get(f"{PAGE}?state=draft").text)) == numbers["draft"]


def test_the_delegation_form_lists_the_first_members_and_finds_the_others(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        community = s.scalars(select(Community).where(Community.slug == "publicville")).one()
        for i in range(DELEGATE_SHOWN + 20):
            add_member(s, community, make_user(s, f"Neighbour {i:03d}"))
    sign_in(client, db, w.member)
    page = client.get(PAGE).text
    select_ = page[page.index('id="d-who"') : page.index("</select>", page.index('id="d-who"'))]
    options = re.findall(r"<option value=\"\d+\" >([^<]*)</option>", select_)
    assert len(options) == DELEGATE_SHOWN and options == sorted(options)
    assert "Member" not in options  # not oneself
    others = DELEGATE_SHOWN + 20 + 2  # the neighbours, the custodian and the steward
    shows = f"The list shows {DELEGATE_SHOWN} of {others} members; find the others by name."
    assert shows in page
    found = client.get(f"{PAGE}?who=neighbour 11").text
    select_ = found[found.index('id="d-who"') : found.index("</select>", found.index('id="d-who"'))]
    assert re.findall(r">(Neighbour \d+)</option>", select_) == [
        f"Neighbour {i}" for i in range(110, 120)
    ]
    assert 'value="neighbour 11"' in found
    nobody = client.get(f"{PAGE}?who=zzz", headers={"Accept-Language": "es"})
    assert "Ningún nombre de miembro contiene «zzz»." in html.unescape(nobody.text)
    # a small community's form is as it was: every member, no search box
    sign_in(client, db, w.private_steward)
    private = client.get("/communities/privatehill/governance")
    assert private.status_code == 200 and 'id="d-find"' not in private.text


def test_a_private_communitys_lists_stay_hidden(client: TestClient, db: Database) -> None:
    w = make_world(db)
    for query in ("state=executed", "title=a", "who=a", "page=2"):
        assert client.get(f"/communities/privatehill/governance?{query}").status_code == 404
    sign_in(client, db, w.outsider)
    assert client.get("/communities/privatehill/governance?state=active").status_code == 404

"""The members page of a big community: a hundred at a time, or found by name (both databases).

It listed every member with a role form each: a mutual-aid group of thousands made a page
of megabytes. Now it shows a page, says which of how many, links to the next, and finds
people by any part of their name, in any case.
"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.communities.models import Community, Membership
from commonpot.communities.roles import add_member
from commonpot.db import Database
from tests.factories.accounts import make_user, make_world, sign_in
from tests.factories.pages import pager_of

PAGE = "/communities/publicville/members"
FIRST = ("Ann", "Bea", "Cruz", "Dmitri", "Eun-ji")


def _crowd(db: Database) -> int:
    """150 more members of publicville, named in turn after FIRST; how many it has now."""
    with db.unit_of_work() as s:
        community = s.scalars(select(Community).where(Community.slug == "publicville")).one()
        for i in range(150):
            add_member(s, community, make_user(s, f"{FIRST[i % 5]} Person {i:03d}"))
        return int(
            s.scalar(select(func.count()).where(Membership.community_id == community.id)) or 0
        )


def _names(text: str) -> list[str]:
    body = text.split("<tbody>")[1].split("</tbody>", maxsplit=1)[0]
    return [html.unescape(n) for n in re.findall(r"<tr>\s*<td>([^<]*)</td>", body)]


def test_a_big_community_lists_its_members_a_hundred_at_a_time(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    total = _crowd(db)
    assert total > 150
    sign_in(client, db, w.steward)
    first = client.get(PAGE)
    assert first.status_code == 200
    names = _names(first.text)
    assert len(names) == 100
    said, links = pager_of(first.text)
    assert said == f"1–100 of {total}" and links == {"next": f"{PAGE}?page=2"}
    second = client.get(links["next"])
    rest = _names(second.text)
    assert len(rest) == total - 100 and not set(rest) & set(names)
    assert pager_of(second.text)[1] == {"prev": PAGE}
    listed = first.text.split("<tbody>")[1].split("</tbody>", maxsplit=1)[0]
    assert listed.count('name="role"') == 100  # a role form for each listed member only
    for bad in ("0", "one", "-3"):
        assert client.get(f"{PAGE}?page={bad}").status_code == 422


def test_members_are_found_by_any_part_of_their_name(client: TestClient, db: Database) -> None:
    w = make_world(db)
    _crowd(db)
    sign_in(client, db, w.member)  # any member may read the list
    found = client.get(f"{PAGE}?name=DMITRI")
    assert found.status_code == 200
    names = _names(found.text)
    assert len(names) == 30 and all(n.startswith("Dmitri Person") for n in names)
    assert pager_of(found.text)[0] is None  # every one shown
    assert 'value="DMITRI"' in found.text  # the search box keeps what was typed
    one = client.get(f"{PAGE}?name=person 042")
    assert _names(one.text) == ["Cruz Person 042"]
    literal = client.get(f"{PAGE}?name=%25")  # "%" is a character, not a pattern
    assert literal.status_code == 200 and _names(literal.text) == []
    assert "No member&#39;s name holds" in literal.text or "No member's name holds" in literal.text
    spanish = client.get(f"{PAGE}?name=zzz", headers={"Accept-Language": "es"})
    assert "Ningún nombre de miembro contiene «zzz»." in html.unescape(spanish.text)

"""The proposal page as people read it: no winner without votes, one view per method,
the "Count the votes" button only for who may count (real SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from commonpot.db import Database
from commonpot.settings import Settings
from tests.factories.accounts import form, make_world, sign_in
from tests.factories.governance import let_time_pass, make_proposal, vote

PAGE = "/communities/publicville/governance/proposals/{}"
OPEN = {"open_results": True}


def _cell(html: str, option: str) -> str:
    found = re.search(
        rf'<th scope="row">{option}[^<]*(?:<span[^>]*>[^<]*</span>)?</th><td>(\S+)', html
    )
    assert found, option
    return found.group(1)


def test_zero_votes_names_no_winner(client: TestClient, db: Database, settings: Settings) -> None:
    w = make_world(db)
    number = make_proposal(
        db,
        w.steward,
        "publicville",
        settings,
        method="approval",
        options=["Walnut", "Hazel", "Chestnut"],
        rules=OPEN,
    )
    page = client.get(PAGE.format(number))
    assert page.status_code == 200
    assert "No votes yet." in page.text
    assert 'id="winners"' not in page.text
    assert "A tie was broken by lot" not in page.text


def test_approval_shows_approvals_per_option_not_rounds(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    options = ["Walnut", "Hazel", "Chestnut"]
    number = make_proposal(
        db, w.steward, "publicville", settings, method="approval", options=options, rules=OPEN
    )
    vote(db, w.steward, "publicville", number, {"approve": ["Walnut", "Hazel"]}, settings)
    vote(db, w.custodian, "publicville", number, {"approve": ["Hazel"]}, settings)
    page = client.get(PAGE.format(number)).text
    assert 'id="rounds"' not in page and "Round by round" not in page
    assert 'id="tally"' in page and "Approvals" in page
    assert (_cell(page, "Hazel"), _cell(page, "Walnut"), _cell(page, "Chestnut")) == ("2", "1", "0")
    assert re.search(r'id="winners">Hazel<', page)


def test_irv_keeps_rounds_and_majority_shows_the_share(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    irv = make_proposal(
        db,
        w.steward,
        "publicville",
        settings,
        method="irv",
        options=["Walnut", "Hazel", "Chestnut"],
        rules=OPEN,
    )
    vote(db, w.steward, "publicville", irv, {"ranking": ["Hazel", "Walnut"]}, settings)
    page = client.get(PAGE.format(irv)).text
    assert 'id="rounds"' in page and 'id="tally"' not in page
    yes_no = make_proposal(db, w.steward, "publicville", settings, rules=OPEN, title="Bees")
    vote(db, w.steward, "publicville", yes_no, {"choice": "yes"}, settings)
    vote(db, w.custodian, "publicville", yes_no, {"choice": "no"}, settings)
    vote(db, w.member, "publicville", yes_no, {"choice": "yes"}, settings)
    page = client.get(PAGE.format(yes_no)).text
    assert 'id="majority-share"' in page and "67 %" in page
    assert (_cell(page, "yes"), _cell(page, "no"), _cell(page, "abstain")) == ("2", "1", "0")


def test_count_button_only_for_who_may_count(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    url = PAGE.format(number)
    button = "Count the votes"
    sign_in(client, db, w.member)
    assert button not in client.get(url).text
    sign_in(client, db, w.steward)
    assert button not in client.get(url).text  # not everyone has voted yet
    for who in (w.steward, w.custodian, w.member):
        vote(db, who, "publicville", number, {"choice": "yes"}, settings)
    assert button in client.get(url).text
    sign_in(client, db, w.member)
    assert button not in client.get(url).text
    sign_in(client, db, w.steward)
    done = client.post(url + "/close", data=form({}), follow_redirects=True)
    assert done.status_code == 200 and 'id="tally"' in done.text


def test_closed_without_votes_says_nobody_voted(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    number = make_proposal(
        db, w.steward, "publicville", settings, method="approval", options=["Walnut", "Hazel"]
    )
    let_time_pass(db, "publicville", number, settings)
    page = client.get(PAGE.format(number)).text
    assert "Nobody voted, so there is no winner." in page
    assert 'id="winners"' not in page

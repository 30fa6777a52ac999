"""A proposal nobody voted on names no winner (issue 19): no lot drawn among untouched options."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from commonpot.db import Database
from commonpot.governance import cast_ballots
from commonpot.settings import Settings
from tests.factories.accounts import bearer, make_world, sign_in
from tests.factories.governance import make_proposal

API = "/api/communities/publicville"
PAGES = "/communities/publicville/governance"


@pytest.mark.parametrize("method", ["plurality", "approval", "irv", "schulze", "borda"])
def test_no_ballots_no_winner(method: str) -> None:
    result = cast_ballots.count(
        method, ["Walnut", "Hazel", "Chestnut"], 1, [], rules={}, eligible=3, seed=7
    ).to_json()
    assert result["winners"] == []
    assert result["tie_break_seed"] is None
    assert result["no_votes"] is True


def test_one_ballot_is_not_no_votes() -> None:
    result = cast_ballots.count(
        "plurality",
        ["Walnut", "Hazel"],
        1,
        [({"choice": "Hazel"}, 1)],
        rules={},
        eligible=3,
        seed=7,
    ).to_json()
    assert result["winners"] == ["Hazel"]
    assert "no_votes" not in result


def test_live_result_with_zero_votes_in_api_and_page(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    number = make_proposal(
        db, w.steward, "publicville", settings, method="plurality",
        options=["Walnut", "Hazel", "Chestnut"], rules={"open_results": True},
    )  # fmt: skip
    got = client.get(f"{API}/proposals/{number}", headers=bearer(db, w.member))
    assert got.status_code == 200
    result = got.json()["result"]
    assert result["live"] is True and result["turnout"] == 0
    assert result["winners"] == [] and result["no_votes"] is True
    assert result["tie_break_seed"] is None
    sign_in(client, db, w.member)
    page = client.get(f"{PAGES}/proposals/{number}", headers={"accept-language": "es"}).text
    assert 'id="no-votes">Todavía no hay votos.<' in page
    assert 'id="winners"' not in page

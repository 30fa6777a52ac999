"""A steward opens a ranked proposal, three members rank, it closes round by round, it is
carried out after its timelock, and the ledger page verifies."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from commonpot.communities import service as communities
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_community, make_user

OPTIONS = ["Walnut", "Hazel", "Chestnut"]


def _rank(page: Page, ranks: dict[str, str]) -> None:
    for name, rank in ranks.items():
        page.get_by_label(name, exact=True).select_option(rank)
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_role("status")).to_contain_text("Your vote is recorded")


def test_ranked_decision_journey(live_server: LiveServer, page: Page) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        community = make_community(s, steward, slug="riverbank")
        for name in ("Bea", "Cai", "Dev"):
            member = make_user(s, f"{name} Member", email=f"{name.lower()}@example.org")
            communities.add_member(s, community, member, "member")
    base = f"{live_server.url}/communities/riverbank/governance"

    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(base)
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("Which tree for the north bank?")
    page.get_by_label("How we decide").select_option("irv")
    page.get_by_label("Options, one per line").fill("\n".join(OPTIONS))
    # the form starts at the constitution's floors; a decision in words may wait less
    expect(page.get_by_label("Quorum (share of members)")).to_have_value("1/5")
    page.get_by_label("Voting hours", exact=True).fill("1")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#proposal-error")).to_contain_text("Voting lasts at least 24 h")
    expect(page.get_by_label("Title")).to_have_value("Which tree for the north bank?")
    assert axe_violations(page) == []
    page.get_by_label("Voting hours", exact=True).fill("72")
    page.get_by_label("Wait before acting (hours)").fill("0.001")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Open voting").click()
    expect(page.get_by_role("status")).to_contain_text("Voting is open")
    proposal_url = page.url.split("#")[0]
    assert axe_violations(page) == []
    shot(page, "governance-01-ballot")
    _rank(page, {"Hazel": "1", "Walnut": "2"})
    # results are hidden while voting, so the ballot is sealed: a receipt is shown once
    receipt = page.locator("#receipt-text").input_value()
    assert len(receipt) == 129
    assert axe_violations(page) == []

    for email, ranks in [
        ("bea@example.org", {"Walnut": "1", "Hazel": "2", "Chestnut": "3"}),
        ("cai@example.org", {"Chestnut": "1", "Walnut": "2"}),
    ]:
        page.context.clear_cookies()
        sign_in(page, live_server.url, email, PASSWORD)
        page.goto(proposal_url)
        _rank(page, ranks)
    # the third member ranks by moving options with the keyboard-friendly buttons
    page.context.clear_cookies()
    sign_in(page, live_server.url, "dev@example.org", PASSWORD)
    page.goto(proposal_url)
    page.get_by_role("button", name="Move up: Chestnut").click()
    page.get_by_role("button", name="Move up: Chestnut").click()
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_role("status")).to_contain_text("Your vote is recorded")
    shot(page, "governance-02-voted")

    page.context.clear_cookies()
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(proposal_url)
    page.get_by_role("button", name="Count the votes").click()
    expect(page.get_by_role("status")).to_contain_text("The votes are counted")
    rounds = page.get_by_role("table", name="Round by round")
    expect(rounds).to_be_visible()
    expect(rounds.get_by_role("columnheader", name="Round 2")).to_be_visible()
    # round 1: Hazel 1, Walnut 1, Chestnut 2 -> Hazel and Walnut tie for fewest with no
    # earlier round, so the seeded lot decides; the page must say so and name its seed
    assert page.locator("#winners").inner_text().strip() in OPTIONS
    expect(page.get_by_text("A tie was broken by lot")).to_be_visible()
    expect(page.locator("#state")).to_have_text("queued")
    assert axe_violations(page) == []
    shot(page, "governance-03-rounds")
    page.get_by_label("Paste the receipt you got when you voted").fill(receipt)
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("#receipt-status")).to_contain_text("Counted as")
    expect(page.locator("#receipt-status")).to_contain_text("Hazel > Walnut")
    assert axe_violations(page) == []
    page.goto(proposal_url)

    time.sleep(4)  # the timelock of 0.001 h
    page.get_by_role("button", name="Carry it out").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded")
    expect(page.locator("#state")).to_have_text("executed")

    page.goto(f"{base}/ledger")
    expect(page.locator("#checkpoint")).to_contain_text("riverbank")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Verify this ledger").click()
    expect(page.locator("#verify-result")).to_contain_text("Verified")
    assert axe_violations(page) == []
    shot(page, "governance-04-ledger-verified")
    page.goto(f"{base}/grants")
    page.get_by_label("Title").fill("Bee hives")
    page.get_by_label("Recipient").fill("Hive keepers")
    page.get_by_label("Amount").fill("10")
    page.get_by_role("button", name="Add request").click()
    # refused: the form comes back as filled in, with the reason
    expect(page.get_by_role("alert")).to_contain_text("The treasury holds only 0")
    expect(page.get_by_label("Recipient")).to_have_value("Hive keepers")
    expect(page.get_by_label("Amount")).to_have_value("10")
    assert axe_violations(page) == []

    # and anyone can check it from outside, with public data only, pinning the key shown
    vkey = page.goto(f"{live_server.url}/api/communities/riverbank/ledger/key")
    assert vkey is not None
    key = vkey.text().strip()
    remote = subprocess.run(
        [
            str(Path(sys.executable).parent / "commonpot"),
            "ledger",
            "verify",
            "--remote",
            f"{live_server.url}/communities/riverbank",
            "--key",
            key,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout.startswith("ok: ")

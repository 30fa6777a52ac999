"""The ledger page says each entry in words (who did what, when), JSON behind a toggle."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient

from commonpot.db import Database
from commonpot.governance.ledger_words import describe
from commonpot.settings import Settings
from tests.factories.accounts import make_world, sign_in
from tests.factories.governance import make_proposal, vote

LEDGER = "/communities/publicville/governance/ledger"


def test_entries_read_as_sentences_with_the_json_behind_a_toggle(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings, title="Plant a walnut grove")
    vote(db, w.custodian, "publicville", number, {"choice": "yes"}, settings)
    sign_in(client, db, w.member)
    page = client.get(LEDGER).text
    words = [
        html.unescape(re.sub(r"\s+", " ", x))
        for x in re.findall(r'<p class="entry-words">(.*?)</p>', page)
    ]
    assert f'Voting opened on proposal #{number} "Plant a walnut grove".' in words
    assert f"{w.custodian.display_name} voted on proposal #{number}." in words
    # the JSON is still there, whole, behind a <details> toggle
    blocks = re.findall(
        r"<details><summary>Entry \d+ as recorded \(JSON\)</summary>"
        r'<pre class="entry">(.*?)</pre></details>',
        page,
        re.S,
    )
    assert blocks and len(blocks) == len(words)
    parsed = [json.loads(html.unescape(b)) for b in blocks]
    assert any(p["type"] == "vote.cast" and p["voter"] == w.custodian.id for p in parsed)
    assert "<time datetime=" in page
    # someone who is not a member reads ids, as the JSON has them, not names
    client.cookies.clear()
    outsider = client.get(LEDGER).text
    assert f"member #{w.custodian.id} voted on proposal #{number}." in outsider
    assert w.custodian.display_name not in outsider


def test_unknown_kinds_are_still_shown() -> None:
    said = describe(
        7, json.dumps({"type": "run.completed", "seq": 7, "at": "2026-12-01T10:00:00Z"}), {}
    )
    assert said.text == "Recorded: %(type)s." and said.parts["type"] == "run.completed"
    assert said.at is not None and said.at.year == 2026
    named = describe(
        1, json.dumps({"type": "delegation.set", "delegator": 3, "delegate": 4}), {3: "Ana"}
    )
    assert named.text % named.parts == "Ana let member #4 vote for them."


def test_an_entry_written_once_still_follows_a_new_name_and_the_readers_language(
    client: TestClient, db: Database, settings: Settings
) -> None:
    """Entries are kept as written once per process (`governance.web._entry_html`), keyed by
    everything they show: a person who changes their name is named anew, in each language."""
    from commonpot.accounts.models import User

    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", settings)
    vote(db, w.custodian, "publicville", number, {"choice": "yes"}, settings)
    sign_in(client, db, w.member)
    before = client.get(LEDGER).text
    assert f"{w.custodian.display_name} voted on proposal #{number}." in before
    with db.unit_of_work() as s:
        custodian = s.get(User, w.custodian.id)
        assert custodian is not None
        custodian.display_name = "Abuela Rosa"
    after = client.get(LEDGER).text
    assert f"Abuela Rosa voted on proposal #{number}." in after
    assert f"{w.custodian.display_name} voted" not in after
    spanish = client.get(LEDGER, headers={"Accept-Language": "es"}).text
    assert f"Abuela Rosa votó en la propuesta n.º {number}." in spanish


def test_the_page_lists_the_fifty_newest_entries_newest_first(
    client: TestClient, db: Database, settings: Settings
) -> None:
    from commonpot.governance import ledger
    from tests.factories.governance import fetch_community

    make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, "publicville")
        for n in range(60):
            ledger.append(s, community, "note", {"text": f"note {n}"})
        ledger.seal(s, community, settings)
        count = ledger.size(s, community)
    page = client.get(LEDGER).text
    shown = [int(v) for v in re.findall(r'<li value="(\d+)" class="ledger-entry">', page)]
    assert shown == list(range(count - 1, count - 51, -1))
    assert f"{count} entries" in page

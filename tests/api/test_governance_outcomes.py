"""What carrying out a proposal did, in the reader's language: the page, the flash, the API.

Each kind of action a proposal can carry out is voted through and carried out by form under
Spanish; its outcome must read in Spanish on the page and in the flash, in English for an
English reader, and in the reader's language from the API. The ledger keeps English.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.db import Database
from commonpot.governance.models import LedgerEntry, Proposal
from commonpot.i18n import Reader
from commonpot.settings import Settings
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.factories.governance import fetch_community, let_time_pass, make_proposal, vote

PAGES = "/communities/publicville/governance/proposals"
API = "/api/communities/publicville/proposals"
ES = {"Accept-Language": "es"}
EN = {"Accept-Language": "en"}
SPANISH = Reader("es")
STRICT = {"quorum": "3/10", "threshold": "2/3", "inclusive": True, "voting_seconds": 7 * 86400}

# what each action is set up with, and the sentence (message id and parts) it must say
Setup = Callable[[Database, Any], dict[str, Any]]


def _sentence(msgid: str, **parts: str) -> tuple[str, str]:
    """(English, Spanish) of a message with its parts, from the compiled catalog."""
    spanish = SPANISH.gettext(msgid) % parts
    english = msgid % parts
    assert spanish != english, f"no Spanish for {msgid!r}"
    return english, spanish


def _set(db: Database, key: str, value: object) -> None:
    with db.unit_of_work() as s:
        communities.set_setting(s, fetch_community(s, "publicville"), key, value)


def _carry_out(
    client: TestClient, db: Database, settings: Settings, w: Any, action: dict[str, Any], **kw: Any
) -> tuple[int, str]:
    """Vote a proposal through, carry it out by form under Spanish; (number, page text)."""
    number = make_proposal(db, w.steward, "publicville", settings, action=action, **kw)
    for user in (w.steward, w.custodian, w.member):
        vote(db, user, "publicville", number, {"choice": "yes"}, settings)
    let_time_pass(db, "publicville", number, settings)
    sign_in(client, db, w.steward)
    done = client.post(
        f"{PAGES}/{number}/execute", data=form({}), headers=ES, follow_redirects=True
    )
    assert done.status_code == 200, done.text[:300]
    return number, html.unescape(done.text)


def _flash(page: str) -> str:
    found = re.search(r'class="flash flash-success"[^>]*>(.*?)</', page, re.S)
    assert found is not None, "no flash on the page"
    return found.group(1).strip()


def _outcome(page: str) -> str:
    found = re.search(r'id="outcome">(.*?)</dd>', page, re.S)
    assert found is not None, "no outcome on the page"
    return found.group(1).strip()


def _grant(pool: str) -> dict[str, Any]:
    return {"kind": "grant", "params": {"pool": pool, "amount": 1200, "recipient": "Bees"}}


def _plan(db: Database, w: Any) -> int:
    from commonpot.ecology import plans
    from commonpot.ecology.schemas import PlanIn
    from tests.factories.ecology import seed_domes

    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        seed_domes(s, c, s.get(User, w.steward.id))
        plan = plans.create_plan(s, c, Viewer(user=s.get(User, w.steward.id)), PlanIn())
        return int(plan.id)


def _run(db: Database, w: Any) -> int:
    from commonpot.network import runs
    from tests.factories.network import add_need, add_offer

    with db.unit_of_work() as s:
        c = fetch_community(s, "publicville")
        member = s.get(User, w.member.id)
        add_offer(s, c, member, 2)
        add_need(s, c, member, 2)
        return int(runs.create_run(s, c, Viewer(user=s.get(User, w.steward.id))).id)


def _moves(db: Database, plan_id: int) -> int:
    from commonpot.ecology.models import CropPlan

    with db.unit_of_work(write=False) as s:
        plan = s.get(CropPlan, plan_id)
        assert plan is not None
        return len(plan.moves)


@pytest.mark.parametrize(
    "kind",
    [
        "text",
        "text_note",
        "grant_treasury",
        "grant_seed_bank",
        "change_setting",
        "admit_member",
        "admit_steward",
        "remove_member",
        "flash",
        "amend",
        "allocation_run",
        "crop_plan",
    ],
)
def test_each_action_says_what_it_did_in_the_readers_language(
    client: TestClient, db: Database, settings: Settings, kind: str
) -> None:
    w = make_world(db)
    rules: dict[str, Any] | None = None
    if kind == "text":
        action: dict[str, Any] = {"kind": "text", "params": {}}
        english, spanish = _sentence("Decision recorded.")
    elif kind == "text_note":
        action = {"kind": "text", "params": {"note": "Walnuts by the river."}}
        english, spanish = _sentence("Decision recorded. %(note)s", note="Walnuts by the river.")
    elif kind.startswith("grant_"):
        pool = kind.removeprefix("grant_")
        _set(db, f"{pool}_balance", 5000)
        action = _grant(pool)
        # the pool in words ("the seed bank"), never its key
        msgid = f"Granted %(amount)s from the {pool.replace('_', ' ')} to %(recipient)s."
        english = msgid % {"amount": "1,200", "recipient": "Bees"}
        # Spanish writes the amount as Spanish does (never "1,200")
        spanish = SPANISH.gettext(msgid) % {"amount": SPANISH.number(1200, 0), "recipient": "Bees"}
        assert "1,200" not in spanish and spanish != english
    elif kind == "change_setting":
        action = {"kind": "change_setting", "params": {"key": "motto", "value": "Share"}}
        english, spanish = _sentence(
            "Setting %(key)s is now %(value)s.", key="motto", value="'Share'"
        )
    elif kind in {"admit_member", "admit_steward"}:
        role = kind.removeprefix("admit_")
        action = {"kind": "admit_member", "params": {"user_id": w.outsider.id, "role": role}}
        english, spanish = _sentence(
            f"%(person)s joined as {role}.", person=w.outsider.display_name
        )
    elif kind == "remove_member":
        action = {"kind": "remove_member", "params": {"user_id": w.member.id}}
        english, spanish = _sentence(
            "%(person)s is no longer a member.", person=w.member.display_name
        )
    elif kind == "flash":
        action = {"kind": "events_members_call_flash", "params": {"allowed": True}}
        english, spanish = _sentence("Every member may now call flash events.")
    elif kind == "amend":
        floor = {
            "quorum": "1/4",
            "threshold": "1/2",
            "inclusive": False,
            "voting_seconds": 2 * 86400,
            "timelock_seconds": 0,
        }
        action = {"kind": "amend_constitution", "params": {"floors": {"text": floor}}}
        rules = STRICT
        english, spanish = _sentence(
            "The constitution is amended (version %(version)s).", version="2"
        )
    elif kind == "allocation_run":
        run_id = _run(db, w)
        action = {"kind": "commit_allocation_run", "params": {"run_id": run_id}}
        english, spanish = _sentence(
            "Allocation run %(run)s committed: %(units)s units on their way.",
            run=str(run_id),
            units="2",
        )
    else:
        plan_id = _plan(db, w)
        action = {"kind": "adopt_crop_plan", "params": {"plan_id": plan_id}}
        num = _moves(db, plan_id)
        singular = "Crop plan %(plan)s adopted: %(num)s planting recorded, seed taken."
        plural = "Crop plan %(plan)s adopted: %(num)s plantings recorded, seed taken."
        parts = {"plan": str(plan_id), "num": str(num)}
        english = (singular if num == 1 else plural) % parts
        spanish = SPANISH.ngettext(singular, plural, num) % parts
        assert spanish != english
    number, page = _carry_out(client, db, settings, w, action, rules=rules)
    assert _flash(page) == spanish
    assert _outcome(page) == spanish
    assert english not in page
    shown = html.unescape(client.get(f"{PAGES}/{number}", headers=EN).text)
    assert _outcome(shown) == english
    token = bearer(db, w.steward)
    assert client.get(f"{API}/{number}", headers={**token, **ES}).json()["outcome"] == spanish
    assert client.get(f"{API}/{number}", headers={**token, **EN}).json()["outcome"] == english
    with db.unit_of_work(write=False) as s:
        entries = [json.loads(d) for d in s.scalars(select(LedgerEntry.data))]
    executed = [e for e in entries if e["type"] == "proposal.executed"]
    assert [e["outcome"] for e in executed] == [english]  # the signed ledger stays English


def test_a_failed_execution_reads_in_the_readers_language(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    _set(db, "treasury_balance", 5000)
    number = make_proposal(db, w.steward, "publicville", settings, action=_grant("treasury"))
    for user in (w.steward, w.custodian, w.member):
        vote(db, user, "publicville", number, {"choice": "yes"}, settings)
    let_time_pass(db, "publicville", number, settings)
    _set(db, "treasury_balance", 10)  # spent elsewhere while the proposal waited
    sign_in(client, db, w.steward)
    done = client.post(
        f"{PAGES}/{number}/execute", data=form({}), headers=ES, follow_redirects=True
    )
    page = html.unescape(done.text)
    refusal = SPANISH.gettext("The treasury holds only %(balance)s now.") % {"balance": "10"}
    spanish = SPANISH.gettext("Execution failed: %(error)s") % {"error": refusal}
    english = "Execution failed: The treasury holds only 10 now."
    assert spanish != english
    assert _flash(page) == spanish
    assert _outcome(page) == spanish
    assert _outcome(html.unescape(client.get(f"{PAGES}/{number}", headers=EN).text)) == english
    token = bearer(db, w.steward)
    assert client.get(f"{API}/{number}", headers={**token, **ES}).json()["outcome"] == spanish
    with db.unit_of_work(write=False) as s:
        proposal = s.scalar(select(Proposal).where(Proposal.number == number))
        assert proposal is not None
        assert proposal.outcome == english
        errors = [json.loads(d) for d in s.scalars(select(LedgerEntry.data))]
    failed = [e for e in errors if e["type"] == "proposal.execution_failed"]
    assert [e["error"] for e in failed] == ["The treasury holds only 10 now."]
    with db.unit_of_work(write=False) as s:
        c = fetch_community(s, "publicville")
        assert c.settings["treasury_balance"] == 10  # nothing was paid


def test_an_outcome_stored_before_sentences_still_shows(
    client: TestClient, db: Database, settings: Settings
) -> None:
    w = make_world(db)
    first, _ = _carry_out(client, db, settings, w, {"kind": "text", "params": {}})
    second, _ = _carry_out(client, db, settings, w, {"kind": "text", "params": {}})
    with db.unit_of_work() as s:  # rows as older versions wrote them: English text only
        s.execute(
            update(Proposal)
            .where(Proposal.number == first)
            .values(outcome="Decision recorded.", outcome_words=None)
        )
        s.execute(
            update(Proposal)
            .where(Proposal.number == second)
            .values(outcome="Granted 5 from the pantry to Hazel.", outcome_words=None)
        )
    known = html.unescape(client.get(f"{PAGES}/{first}", headers=ES).text)
    assert _outcome(known) == SPANISH.gettext("Decision recorded.") != "Decision recorded."
    other = html.unescape(client.get(f"{PAGES}/{second}", headers=ES).text)
    assert _outcome(other) == "Granted 5 from the pantry to Hazel."
    english = html.unescape(client.get(f"{PAGES}/{first}", headers=EN).text)
    assert _outcome(english) == "Decision recorded."
    token = bearer(db, w.member)
    api = client.get(f"{API}/{second}", headers={**token, **ES}).json()
    assert api["outcome"] == "Granted 5 from the pantry to Hazel."

"""Sentences as data: a sentence inside another (a refusal inside "Execution failed: …"),
stored as JSON and worded in the reader's language with the reader's numbers."""

from __future__ import annotations

import json

from commonpot.errors import Conflict, Invalid
from commonpot.i18n import Reader
from commonpot.words import ENGLISH, Said, message, said, said_n


def test_a_sentence_inside_a_sentence_survives_json_and_reads_in_spanish() -> None:
    refusal = Invalid("The treasury holds only %(balance)s now.", balance=12000)
    failed = said("Execution failed: %(error)s", error=message(refusal.detail))
    stored = json.loads(json.dumps(failed.to_json()))
    again = Said.from_json(stored)
    assert again == failed
    assert again.words(ENGLISH) == "Execution failed: The treasury holds only 12,000 now."
    spanish = Reader("es")
    inner = spanish.gettext("The treasury holds only %(balance)s now.") % {
        "balance": spanish.number(12000, 0)
    }
    expected = spanish.gettext("Execution failed: %(error)s") % {"error": inner}
    assert again.words(spanish) == expected
    assert "12,000" not in expected and "Execution failed" not in expected


def test_plain_text_is_its_own_message_and_keeps_its_percent_signs() -> None:
    plain = message(str(Conflict("That person is no longer a member.")))
    assert plain == Said("That person is no longer a member.")
    assert plain.words(Reader("es")) == Reader("es").gettext("That person is no longer a member.")
    odd = said("Execution failed: %(error)s", error=message("disk 100% full"))
    assert odd.words(Reader("es")).endswith(": disk 100% full")


def test_a_plural_sentence_counts_in_the_readers_language() -> None:
    one = said_n(
        "Crop plan %(plan)s adopted: %(num)s planting recorded, seed taken.",
        "Crop plan %(plan)s adopted: %(num)s plantings recorded, seed taken.",
        1,
        plan="7",
    )
    many = Said.from_json(
        json.loads(json.dumps({**one.to_json(), "values": {"num": 3, "plan": "7"}}))
    )
    assert one.words() == "Crop plan 7 adopted: 1 planting recorded, seed taken."
    assert many.words() == "Crop plan 7 adopted: 3 plantings recorded, seed taken."
    assert one.words(Reader("es")) != many.words(Reader("es"))
    assert "3" in many.words(Reader("es"))


def test_a_recount_problem_reads_in_spanish_inside_its_entry_line() -> None:
    """`recount.audit` names what is wrong with a sealed box as a `Worded` inside the entry's
    line: the command line words both (the entry's position as it is, counts as numbers)."""
    from commonpot.errors import worded_detail
    from commonpot.governance.recount import audit
    from commonpot.governance.verification import Report

    revealed = {"type": "ballots.revealed", "proposal": 3, "ballots": [], "secret": True}
    tallied = {"type": "proposal.tallied", "proposal": 3, "result": {}}
    report = Report()
    assert audit([(1200, json.dumps(revealed)), (1201, json.dumps(tallied))], report) == 0
    (problem,) = report.problems
    english = "entry 1200: proposal 3: ballots published for a proposal that never opened"
    assert problem == english  # stored and served (the API) in English
    es = Reader("es")
    inner = es.gettext("ballots published for a proposal that never opened")
    line = es.gettext("entry %(seq)s: proposal %(number)s: %(problem)s")
    assert inner != "ballots published for a proposal that never opened"
    assert worded_detail(problem, es) == line % {"seq": 1200, "number": 3, "problem": inner}

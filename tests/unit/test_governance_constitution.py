"""The constitution's pure rules: comparing rules with floors, lifting defaults, amending."""

from __future__ import annotations

import pytest

from commonpot.errors import Invalid
from commonpot.governance import constitution as c

ACTIONS = c.DEFAULT_FLOORS["*"]


def _rules(**changes: object) -> dict[str, object]:
    return {**ACTIONS, **changes}


def test_defaults_a_community_would_accept() -> None:
    assert ACTIONS["quorum"] == "1/5" and ACTIONS["threshold"] == "1/2"
    assert ACTIONS["inclusive"] is False  # more than half
    assert ACTIONS["voting_seconds"] >= 72 * 3600 and ACTIONS["timelock_seconds"] >= 24 * 3600
    amend = c.DEFAULT_FLOORS[c.AMEND]
    assert amend["threshold"] == "2/3" and amend["quorum"] == "3/10"
    assert amend["voting_seconds"] >= 7 * 86400 and amend["timelock_seconds"] >= 48 * 3600


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"quorum": "0"}, "quorum"),
        ({"threshold": "0"}, "threshold"),
        ({"inclusive": True}, "threshold"),  # "at least half" is weaker than "more than half"
        ({"voting_seconds": 60}, "voting_seconds"),
        ({"timelock_seconds": 0}, "timelock_seconds"),
    ],
)
def test_each_rule_below_the_floor_is_named(changes: dict[str, object], rule: str) -> None:
    short = c.shortfall(_rules(**changes), ACTIONS, "majority")
    assert short is not None and short[0] == rule
    with pytest.raises(c.FloorError) as refused:
        c.check(_rules(**changes), ACTIONS, "majority")
    assert refused.value.field == f"rules.{rule}"


def test_stricter_rules_pass_and_choices_ignore_the_threshold() -> None:
    assert c.shortfall(_rules(threshold="2/3", quorum="1/2"), ACTIONS, "majority") is None
    assert c.shortfall(_rules(threshold="0"), ACTIONS, "irv") is None


def test_lift_raises_only_what_the_author_left_out() -> None:
    low = {**ACTIONS, "quorum": "0", "timelock_seconds": 0}
    lifted = c.lift(low, ACTIONS, given={"timelock_seconds": 0})
    assert lifted["quorum"] == "1/5"
    assert lifted["timelock_seconds"] == 0  # chosen by the author: left for check() to refuse


def test_amendments_keep_the_hard_floors() -> None:
    text = {**c.DEFAULT_FLOORS["text"], "quorum": "1/20"}
    with pytest.raises(Invalid) as below:
        c.amended(c.DEFAULT_FLOORS, {"text": text})
    assert below.value.field == "action.params.floors.text.quorum"
    weak_amend = {**ACTIONS, "threshold": "3/5", "inclusive": True, "quorum": "1/5"}
    with pytest.raises(Invalid):  # the amendment rule must stay at least as strict as actions
        c.amended(c.DEFAULT_FLOORS, {c.AMEND: {**weak_amend, "voting_seconds": 86400}})
    with pytest.raises(Invalid):
        c.amended(c.DEFAULT_FLOORS, {c.AMEND: None})
    with pytest.raises(Invalid):
        c.amended(c.DEFAULT_FLOORS, {"no_such_action": ACTIONS})
    raised = c.amended(c.DEFAULT_FLOORS, {"admit_member": {**ACTIONS, "quorum": "1/3"}})
    assert raised["admit_member"]["quorum"] == "1/3"
    assert c.floor_for(raised, "admit_member")["quorum"] == "1/3"
    assert c.floor_for(raised, "grant")["quorum"] == "1/5"

"""Ballots as members cast them: validation, normal forms, weighted counting, decisions."""

from __future__ import annotations

from fractions import Fraction

import pytest

from commonpot.errors import Invalid
from commonpot.governance.cast_ballots import check_ballot, count, decide

OPTIONS = ["Walnut", "Hazel", "Chestnut"]


@pytest.mark.parametrize(
    ("method", "ballot", "normal"),
    [
        ("plurality", {"choice": "Hazel"}, {"choice": "Hazel"}),
        (
            "approval",
            {"approve": ["Chestnut", "Walnut", "Walnut"]},
            {"approve": ["Walnut", "Chestnut"]},
        ),
        ("irv", {"ranking": ["Hazel", "Walnut"]}, {"ranking": [["Hazel"], ["Walnut"]]}),
        ("schulze", {"ranking": [["Chestnut", "Walnut"]]}, {"ranking": [["Walnut", "Chestnut"]]}),
        ("quadratic", {"credits": {"Hazel": 9, "Walnut": 0}}, {"credits": {"Hazel": 9}}),
    ],
)
def test_normal_forms(method: str, ballot: dict[str, object], normal: dict[str, object]) -> None:
    assert check_ballot(method, OPTIONS, ballot) == normal


@pytest.mark.parametrize(
    ("method", "ballot", "field"),
    [
        ("plurality", {"choice": "Oak"}, "ballot.choice"),
        ("approval", {"approve": []}, "ballot.approve"),
        ("irv", {"ranking": ["Hazel", "Hazel"]}, "ballot.ranking"),
        ("irv", {"ranking": [["Hazel"], ["Walnut", "Hazel"]]}, "ballot.ranking"),
        ("borda", {"ranking": []}, "ballot.ranking"),
        ("quadratic", {"credits": {"Hazel": 101}}, "ballot.credits"),
        ("quadratic", {"credits": {"Hazel": -1}}, "ballot.credits"),
        ("quadratic", {"credits": {"Hazel": True}}, "ballot.credits"),
        ("majority", [], "ballot"),
    ],
)
def test_bad_ballots_name_the_field(method: str, ballot: object, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_ballot(method, OPTIONS, ballot)
    assert caught.value.field == field


def test_weights_count_and_quorum_decides() -> None:
    ballots = [({"ranking": [["Hazel"]]}, 3), ({"ranking": [["Walnut"], ["Hazel"]]}, 2)]
    result = count("irv", OPTIONS, 1, ballots, rules={}, eligible=10, seed=1)
    assert result.rounds[0].counts == {"Hazel": 3, "Walnut": 2, "Chestnut": 0}
    assert result.winners == ["Hazel"]
    assert decide(result, turnout=5, eligible=10, quorum=Fraction(1, 2))
    assert not decide(result, turnout=5, eligible=10, quorum=Fraction(2, 3))


def test_majority_uses_the_frozen_rules() -> None:
    ballots = [({"choice": "yes"}, 6), ({"choice": "no"}, 3), ({"choice": "abstain"}, 1)]
    rules = {"threshold": "2/3", "inclusive": True, "quorum": "1/2"}
    result = count(
        "majority", ["yes", "no", "abstain"], 1, ballots, rules=rules, eligible=12, seed=0
    )
    assert result.details["passed"] is True
    assert decide(result, turnout=10, eligible=12, quorum=Fraction(1, 2))
    strict = count(
        "majority",
        ["yes", "no", "abstain"],
        1,
        ballots,
        rules={**rules, "inclusive": False},
        eligible=12,
        seed=0,
    )
    assert strict.details["passed"] is False

"""Ballot parsers: PrefLib and CSV formats, aggregation, and errors naming the line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from commonpot.errors import Invalid
from commonpot.governance.ballot_profiles import (
    RankedProfile,
    approval_from_ranked,
    parse_approval_csv,
    parse_majority_csv,
    parse_preflib,
    parse_quadratic_csv,
    parse_ranked_csv,
)
from tests.factories.governance import BURLINGTON, ranked_profiles, to_csv

HEADER = (
    "# DATA TYPE: toi\n"
    "# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bo\n# ALTERNATIVE NAME 3: Cy\n"
)


def test_burlington_header_and_orders() -> None:
    profile = parse_preflib(BURLINGTON.read_text(encoding="utf-8"))
    assert profile.candidates == (
        "Bob Kiss",
        "Andy Montroll",
        "James Simpson",
        "Dan Smith",
        "Kurt Wright",
        "Write-In",
    )
    assert profile.voters == 8980
    assert len(profile.ballots) == 384
    assert profile.ballots[((4,),)] == 840  # "840: 5" -> Kurt Wright alone
    assert profile.ballots[((0, 5), (4,), (1,), (3,), (2,))] == 1  # "1: {1,6},5,2,4,3"


def test_preflib_ties_and_aggregation() -> None:
    profile = parse_preflib(HEADER + "2: 1,{2,3}\n3: 1,{3,2}\n1: 3\n")
    assert profile.ballots == {((0,), (1, 2)): 5, ((2,),): 1}


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("2: 1,4\n", 5, "unknown alternative"),
        ("2: 1,1\n", 5, "twice"),
        ("x: 1\n", 5, "expected 'count: order'"),
        ("1: 1\n0: 2\n", 6, "positive"),
        ("1: {1,2\n", 5, "braces"),
        ("1: 1,,2\n", 5, "empty position"),
        ("1: {},2\n", 5, "empty tie group"),
    ],
)
def test_preflib_errors_name_the_line(body: str, line: int, problem: str) -> None:
    with pytest.raises(Invalid, match=f"line {line}: .*{problem}"):
        parse_preflib(HEADER + body)


def test_preflib_kind_rules_and_declared_counts() -> None:
    soc = HEADER.replace("toi", "soc")
    with pytest.raises(Invalid, match="line 5: tie"):
        parse_preflib(soc + "1: 1,{2,3}\n")
    with pytest.raises(Invalid, match="line 5: incomplete"):
        parse_preflib(soc + "1: 1,2\n")
    assert parse_preflib(soc + "1: 1,2,3\n").voters == 1
    with pytest.raises(Invalid, match="header says 4 voters"):
        parse_preflib("# NUMBER VOTERS: 4\n" + HEADER + "1: 1\n")
    with pytest.raises(Invalid, match="ALTERNATIVE NAME"):
        parse_preflib("1: 1\n")


def test_ranked_csv_ties_and_line_errors() -> None:
    profile = parse_ranked_csv("A>B=C\n\n# a comment\nA>C=B\nB\n")
    assert profile.candidates == ("A", "B", "C")
    assert profile.ballots == {((0,), (1, 2)): 2, ((1,),): 1}
    with pytest.raises(Invalid, match="line 3: empty candidate name"):
        parse_ranked_csv("A>B\nB\nA>>B\n")
    with pytest.raises(Invalid, match="line 2: 'A' ranked twice"):
        parse_ranked_csv("A\nA>B>A\n")
    with pytest.raises(Invalid, match="line 1: one ballot per row"):
        parse_ranked_csv("A,B\n")


def test_csv_quoted_names_with_commas() -> None:
    profile = parse_ranked_csv('"Kiss, Bob>Wright, Kurt"\n')
    assert profile.candidates == ("Kiss, Bob", "Wright, Kurt")


def test_approval_quadratic_and_majority_csv() -> None:
    approval = parse_approval_csv("A;B\nB;A\nC\n")
    assert approval.ballots == {(0, 1): 2, (2,): 1}
    with pytest.raises(Invalid, match="line 2: 'A' approved twice"):
        parse_approval_csv("A\nA;A\n")
    quadratic = parse_quadratic_csv("A=9;B=4\nB=4;A=9\n")
    assert quadratic.ballots == {((0, 9), (1, 4)): 2}
    with pytest.raises(Invalid, match="line 1: expected option=credits"):
        parse_quadratic_csv("A=x\n")
    with pytest.raises(Invalid, match="line 2: spends 20 credits, budget is 16"):
        parse_quadratic_csv("A=16\nA=16;B=4\n", budget=16)
    majority = parse_majority_csv("yes\nNo\nabstain\nY\n")
    assert (majority.yes, majority.no, majority.abstain) == (2, 1, 1)
    with pytest.raises(Invalid, match="line 2: expected yes, no or abstain"):
        parse_majority_csv("yes\nmaybe\n")


def test_approval_from_ranked_approves_every_ranked_candidate() -> None:
    profile = parse_preflib(HEADER + "2: 1,{2,3}\n1: 3\n")
    assert approval_from_ranked(profile).ballots == {(0, 1, 2): 2, (2,): 1}


@settings(max_examples=60, deadline=None)
@given(ranked_profiles(ties=True))
def test_csv_round_trip_keeps_every_ballot(profile: RankedProfile) -> None:
    parsed = parse_ranked_csv(to_csv(profile))
    assert parsed.voters == profile.voters
    back = {
        tuple(tuple(sorted(parsed.candidates[c] for c in g)) for g in r): w
        for r, w in parsed.ballots.items()
    }
    want = {
        tuple(tuple(sorted(profile.candidates[c] for c in g)) for g in r): w
        for r, w in profile.ballots.items()
    }
    assert back == want

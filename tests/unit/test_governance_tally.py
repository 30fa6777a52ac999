"""Tally methods: the Burlington 2009 acceptance figures and hand-counted cases."""

from __future__ import annotations

from fractions import Fraction

import pytest

from commonpot.errors import Invalid
from commonpot.governance import count_methods, radicals, transfer
from commonpot.governance.ballot_profiles import (
    MajorityProfile,
    parse_preflib,
    parse_quadratic_csv,
    parse_ranked_csv,
    ranked_from_names,
)
from tests.factories.governance import BURLINGTON


@pytest.fixture(scope="module")
def burlington() -> count_methods.RankedProfile:
    return parse_preflib(BURLINGTON.read_text(encoding="utf-8"))


def test_burlington_irv_matches_the_certified_figures(
    burlington: count_methods.RankedProfile,
) -> None:
    result = transfer.irv(burlington).to_json()
    rounds = result["rounds"]
    assert burlington.voters == 8980
    assert rounds[0]["counts"] == {
        "Kurt Wright": 2951,
        "Bob Kiss": 2585,
        "Andy Montroll": 2063,
        "Dan Smith": 1306,
        "Write-In": 36,
        "James Simpson": 35,
    }
    assert rounds[0]["exhausted"] == 4
    three = next(r for r in rounds if len(r["counts"]) == 3)
    assert three["counts"] == {"Kurt Wright": 3294, "Bob Kiss": 2981, "Andy Montroll": 2554}
    assert three["exhausted"] == 151
    assert three["eliminated"] == ["Andy Montroll"]
    assert rounds[-1]["counts"] == {"Bob Kiss": 4313, "Kurt Wright": 4061}
    assert rounds[-1]["exhausted"] == 606
    assert result["winners"] == ["Bob Kiss"]
    assert result["tie_break_seed"] is None
    assert result["method"] == "irv"


def test_burlington_plain_irv_agrees_with_vectorised(
    burlington: count_methods.RankedProfile,
) -> None:
    assert (
        transfer.irv(burlington, fast=False).to_json()
        == transfer.irv(burlington, fast=True).to_json()
    )
    # Burlington is small: the default count is the plain one (numpy stays unloaded)
    assert transfer.irv(burlington).to_json() == transfer.irv(burlington, fast=False).to_json()


@pytest.mark.parametrize(
    ("method", "winner"),
    [("schulze", "Andy Montroll"), ("plurality", "Kurt Wright"), ("borda", "Andy Montroll")],
)
def test_burlington_other_methods(
    burlington: count_methods.RankedProfile, method: str, winner: str
) -> None:
    assert count_methods.count_ranked(method, burlington).winners == [winner]


def test_burlington_montroll_is_the_condorcet_winner(
    burlington: count_methods.RankedProfile,
) -> None:
    d = count_methods.pairwise(burlington)
    montroll = burlington.candidates.index("Andy Montroll")
    for other in range(len(burlington.candidates)):
        if other != montroll:
            assert d[montroll, other] > d[other, montroll]


def test_overvote_exhausts_the_ballot_for_the_rest_of_the_count() -> None:
    # X=Y overvote: exhausted at once, even after Y is eliminated later
    profile = parse_ranked_csv("X=Y>Z\nX\nX\nZ\nZ\nY\n")
    result = transfer.irv(profile, seed=1)
    first = result.rounds[0]
    assert first.exhausted == 1
    assert first.counts == {"X": 2, "Z": 2, "Y": 1}
    assert result.rounds[-1].exhausted >= 1


def test_overvote_after_eliminations_only_counts_continuing_candidates() -> None:
    # round 1: B 1, A 2, C 3, D 5 -> B out (its ballot exhausts)
    # round 2: A 2, C 3, D 5 -> A out; A's next group {B, C} holds only C now: C 5
    # round 3: C 5, D 5 tie; round 2 had C 3 < D 5 -> C goes, D wins
    profile = parse_ranked_csv("B\nA>B=C\nA>B=C\nC\nC\nC\n" + "D\n" * 5)
    result = transfer.irv(profile)
    assert [r.eliminated for r in result.rounds] == [["B"], ["A"], ["C"], []]
    assert result.rounds[2].counts == {"C": 5, "D": 5}
    assert result.rounds[2].exhausted == 1
    assert result.winners == ["D"]
    assert result.tie_break_seed is None


def test_overvote_reached_by_transfer_exhausts() -> None:
    # A's ballots reach {B, C} while both continue: exhausted, not split
    profile = parse_ranked_csv("A>B=C\nB\nB\nC\nC\nC\n" + "D\n" * 5)
    result = transfer.irv(profile)
    assert result.rounds[0].eliminated == ["A"]
    assert result.rounds[1].counts == {"D": 5, "C": 3, "B": 2}
    assert result.rounds[1].exhausted == 1


def test_tie_for_fewest_is_broken_by_the_earlier_round() -> None:
    rows = ["A"] * 6 + ["B"] * 4 + ["C"] * 3 + ["D>C"] * 1 + ["E>B"] * 1 + ["D"] * 1
    # round 1: A 6, B 4, C 3, D 2, E 1 -> E out, its vote goes to B (B 5)
    # round 2: A 6, B 5, C 3, D 2 -> D out; round 3: A 6, B 5, C 4 -> C out ...
    result = transfer.irv(parse_ranked_csv("\n".join(rows)))
    assert [r.eliminated for r in result.rounds[:2]] == [["E"], ["D"]]
    tied = parse_ranked_csv("\n".join(["A"] * 5 + ["B"] * 3 + ["C"] * 2 + ["D>C"] * 1 + ["E"] * 1))
    # round 1: D 1 and E 1 tie, no earlier round: lot; seed must be reported
    out = transfer.irv(tied, seed=42)
    assert out.tie_break_seed == 42
    assert out.rounds[0].eliminated[0] in {"D", "E"}
    assert transfer.irv(tied, seed=42).to_json() == out.to_json()


def test_earlier_round_decides_a_later_tie() -> None:
    # round 1: A 5, B 4, C 3, D 2 (+E 1 -> C): C 4 then ties B 4 in round 2; B had more in
    # round 1? No: B 4 > C 3, so C (fewer in the earlier round) is eliminated, without lot
    rows = ["A"] * 5 + ["B"] * 4 + ["C"] * 3 + ["D>C"] * 1 + ["D"] * 1 + ["E>A"] * 1
    result = transfer.irv(parse_ranked_csv("\n".join(rows)))
    # round 1: A5 B4 C3 D2 E1 -> E out (to A: 6); round 2: A6 B4 C3 D2 -> D out (one to C)
    # round 3: A6 B4 C4 -> B and C tie; round 1 had B 4 > C 3 -> C goes
    assert result.rounds[2].counts == {"A": 6, "B": 4, "C": 4}
    assert result.rounds[2].eliminated == ["C"]
    assert result.tie_break_seed is None


def test_majority_winner_stops_the_count_early() -> None:
    result = transfer.irv(parse_ranked_csv("A\nA\nA\nB\nC\n"))
    assert len(result.rounds) == 1
    assert result.winners == ["A"]


def test_stv_hand_count_with_exact_fractions() -> None:
    # 2 seats, 9 ballots: quota floor(9/3)+1 = 4
    rows = ["A>B"] * 6 + ["C"] * 2 + ["B"] * 1
    result = transfer.stv(parse_ranked_csv("\n".join(rows)), seats=2)
    out = result.to_json()
    assert out["quota"] == 4
    assert out["rounds"][0]["elected"] == ["A"]
    # A's surplus 2 of 6 moves to B at 1/3 each: B = 1 + 6 * 1/3 = 3
    assert out["rounds"][1]["counts"] == {"B": 3, "C": 2}
    assert out["winners"] == ["A", "B"]


def test_stv_fraction_rendering() -> None:
    rows = ["A>B"] * 5 + ["C"] * 2 + ["D"] * 2
    out = transfer.stv(parse_ranked_csv("\n".join(rows)), seats=2).to_json()
    # quota floor(9/3)+1 = 4, A surplus 1/5 per ballot: B = 5 * 1/5 = 1
    assert out["rounds"][1]["counts"]["B"] == 1
    rows = ["A>B"] * 7 + ["C"] * 3 + ["D"] * 2
    out = transfer.stv(parse_ranked_csv("\n".join(rows)), seats=2).to_json()
    # quota floor(12/3)+1 = 5; A 7 surplus 2 at 2/7: B = 7 * 2/7 = 2
    assert out["rounds"][1]["counts"] == {"C": 3, "B": 2, "D": 2}
    rows = ["A>B"] * 7 + ["A"] * 2 + ["C"] * 3 + ["D"] * 2
    out = transfer.stv(parse_ranked_csv("\n".join(rows)), seats=2).to_json()
    # quota floor(14/3)+1 = 5; A 9 surplus 4 at 4/9: B 28/9, exhausted 8/9
    assert out["rounds"][1]["counts"]["B"] == "28/9"
    assert out["rounds"][1]["exhausted"] == "8/9"


def test_plurality_counts_a_tied_first_group_as_exhausted() -> None:
    result = count_methods.plurality(parse_ranked_csv("A=B\nA\nB>A\nB\nB\n"))
    assert result.rounds[0].counts == {"B": 3, "A": 1}
    assert result.rounds[0].exhausted == 1


def test_score_tie_across_the_cut_uses_the_seeded_lot() -> None:
    profile = ranked_from_names([([["A"]], 2), ([["B"]], 2), ([["C"]], 1)])
    one = count_methods.plurality(profile, seed=5)
    assert one.tie_break_seed == 5
    assert one.winners[0] in {"A", "B"}
    both = count_methods.plurality(profile, seats=2, seed=5)
    assert sorted(both.winners) == ["A", "B"]
    assert both.tie_break_seed is None


def test_quadratic_exact_square_roots() -> None:
    profile = parse_quadratic_csv("A=9;B=8\nB=2;C=1\nA=0\n")
    result = count_methods.quadratic(profile)
    # A: 3; B: 2*sqrt(2) + sqrt(2) = 3*sqrt(2) ~ 4.24; C: 1
    assert result.rounds[0].counts == {"B": "3*sqrt(2)", "A": 3, "C": 1}
    assert result.winners == ["B"]


def test_radicals_compare_exactly_close_values() -> None:
    # sqrt(2) + sqrt(3) vs sqrt(10): 3.1462... vs 3.1622...
    a = radicals.sqrt_of(2)
    radicals.add(a, radicals.sqrt_of(3))
    b = radicals.sqrt_of(10)
    assert radicals.compare(a, b) == -1
    assert radicals.compare(b, a) == 1
    assert radicals.compare(radicals.sqrt_of(8), {2: 2}) == 0
    assert radicals.sqrt_of(72) == {2: 6}
    assert radicals.to_text({1: 3, 2: 1, 5: 2}) == "3+sqrt(2)+2*sqrt(5)"


@pytest.mark.parametrize(
    ("votes", "kwargs", "passed", "quorum_met"),
    [
        ((6, 4, 0), {}, True, True),
        ((5, 5, 3), {}, False, True),
        ((5, 5, 3), {"inclusive": True}, True, True),
        ((6, 3, 0), {"threshold": Fraction(2, 3)}, False, True),
        ((6, 3, 0), {"threshold": Fraction(2, 3), "inclusive": True}, True, True),
        ((3, 0, 1), {"quorum": Fraction(1, 2), "eligible": 10}, False, False),
        ((3, 0, 2), {"quorum": Fraction(1, 2), "eligible": 10}, True, True),
        ((0, 0, 5), {}, False, True),
    ],
)
def test_majority_threshold_and_quorum(
    votes: tuple[int, int, int], kwargs: dict[str, object], passed: bool, quorum_met: bool
) -> None:
    result = count_methods.majority(MajorityProfile(*votes), **kwargs)  # type: ignore[arg-type]
    assert result.details["passed"] is passed
    assert result.details["quorum_met"] is quorum_met
    assert result.winners == (["yes"] if passed else ["no"])


def test_majority_rejects_more_ballots_than_eligible() -> None:
    with pytest.raises(Invalid, match="eligible"):
        count_methods.majority(MajorityProfile(5, 5, 0), eligible=3)


def test_irv_refuses_several_seats_and_unknown_methods() -> None:
    profile = parse_ranked_csv("A\nB\n")
    with pytest.raises(Invalid, match="stv"):
        count_methods.count_ranked("irv", profile, seats=2)
    with pytest.raises(Invalid, match="unknown"):
        count_methods.count_text("dictator", "A\n")

"""Every counting method against votelib (an independent implementation) on random profiles."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from votelib.component.rankscore import Borda
from votelib.convert import (
    ApprovalToSimpleVotes,
    RankedToCondorcetVotes,
    RankedToFirstPreference,
    RankedToPositionalVotes,
)
from votelib.evaluate.condorcet import Schulze, pairwise_wins
from votelib.evaluate.sequential import TransferableVoteSelector

from commonpot.governance import count_methods, transfer
from commonpot.governance.ballot_profiles import ApprovalProfile, RankedProfile
from tests.factories.governance import appearing, approval_profiles, ranked_profiles, to_votelib

FAST = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


def _counts(result: count_methods.TallyResult) -> dict[str, object]:
    counts: dict[str, object] = result.to_json()["rounds"][0]["counts"]
    return counts


@FAST
@given(ranked_profiles())
def test_plurality_scores_match_votelib(profile: RankedProfile) -> None:
    theirs = RankedToFirstPreference().convert(to_votelib(profile))
    ours = _counts(count_methods.plurality(profile))
    assert ours == {name: theirs.get(c, 0) for c, name in enumerate(profile.candidates)}


@FAST
@given(approval_profiles())
def test_approval_scores_match_votelib(profile: ApprovalProfile) -> None:
    names = profile.candidates
    votes = {frozenset(names[c] for c in b): w for b, w in profile.ballots.items()}
    theirs = ApprovalToSimpleVotes().convert(votes)
    assert _counts(count_methods.approval(profile)) == {n: theirs.get(n, 0) for n in names}


@FAST
@given(ranked_profiles())
def test_borda_scores_match_votelib_on_strict_partial_rankings(profile: RankedProfile) -> None:
    # votelib scores against the candidates that appear on ballots; so do we when all appear
    assume(len(appearing(profile)) == len(profile.candidates))
    theirs = RankedToPositionalVotes(Borda(base=0)).convert(to_votelib(profile))
    ours = _counts(count_methods.borda(profile))
    assert ours == {name: theirs.get(c, 0) for c, name in enumerate(profile.candidates)}


@FAST
@given(ranked_profiles(ties=True))
def test_schulze_paths_and_scores_match_votelib(profile: RankedProfile) -> None:
    names = profile.candidates
    # unranked candidates sit at the bottom, so every candidate must appear for votelib
    assume(len(appearing(profile)) == len(names))
    pairs = RankedToCondorcetVotes(unranked_at_bottom=True).convert(to_votelib(profile))
    for c in range(len(names)):  # make sure every candidate is a node of the path graph
        pairs.setdefault((c, c), 0)
    paths = Schulze.widest_paths(pairs)
    wins = dict.fromkeys(range(len(names)), 0)
    for winner, _ in pairwise_wins(paths):
        wins[winner] += 1
    result = count_methods.schulze(profile)
    assert _counts(result) == {names[c]: n for c, n in wins.items()}
    for a, name_a in enumerate(names):
        for b, name_b in enumerate(names):
            if a != b:
                assert result.details["paths"][name_a][name_b] == paths.get((a, b), 0)


def _votelib_stv(profile: RankedProfile, seats: int) -> list[str]:
    try:
        elected = TransferableVoteSelector(quota_function="droop").evaluate(
            to_votelib(profile), seats
        )
    except NotImplementedError:  # votelib gives up on ties; our tie rules are tested by hand
        assume(False)
        raise
    return [profile.candidates[c] for c in elected]


@FAST
@given(ranked_profiles(min_candidates=3, complete=True, max_weight=60))
def test_irv_winner_matches_votelib(profile: RankedProfile) -> None:
    theirs = _votelib_stv(profile, 1)
    result = transfer.irv(profile, seed=1)
    assume(result.tie_break_seed is None)
    assert result.winners == theirs


@FAST
@given(
    ranked_profiles(min_candidates=4, max_candidates=7, complete=True, max_weight=60),
    st.integers(2, 3),
)
def test_stv_elected_set_matches_votelib(profile: RankedProfile, seats: int) -> None:
    theirs = _votelib_stv(profile, seats)
    result = transfer.stv(profile, seats, seed=1)
    assume(result.tie_break_seed is None)
    assert sorted(result.winners) == sorted(theirs)
    assert len(result.winners) == seats


@settings(max_examples=200, deadline=None)
@given(ranked_profiles(ties=True, max_candidates=7, max_weight=5), st.integers(0, 2**32))
def test_vectorised_irv_equals_plain_irv_round_by_round(profile: RankedProfile, seed: int) -> None:
    fast = transfer.irv(profile, seed, fast=True).to_json()
    plain = transfer.irv(profile, seed, fast=False).to_json()
    assert json.dumps(fast) == json.dumps(plain)


@settings(max_examples=100, deadline=None)
@given(ranked_profiles(ties=True, max_weight=9), st.integers(1, 3))
def test_stv_conserves_votes_exactly(profile: RankedProfile, seats: int) -> None:
    from fractions import Fraction

    result = transfer.stv(profile, seats, seed=7)
    quota = result.details["quota"]
    for number, step in enumerate(result.rounds):
        elected_before = sum(len(r.elected or []) for r in result.rounds[:number])
        held = sum(Fraction(v) for v in step.counts.values()) + Fraction(step.exhausted)
        # every elected candidate keeps exactly one quota; the rest is still in play
        assert held + elected_before * quota == profile.voters
    assert len(result.winners) == min(seats, len(profile.candidates))
    assert len(set(result.winners)) == len(result.winners)


@pytest.mark.parametrize("method", count_methods.RANKED_METHODS)
@settings(max_examples=30, deadline=None)
@given(profile=ranked_profiles(ties=True))
def test_every_ranked_method_names_winners_among_candidates(
    method: str, profile: RankedProfile
) -> None:
    result = count_methods.count_ranked(method, profile, seed=3)
    assert result.winners
    assert set(result.winners) <= set(profile.candidates)
    assert result.method == method

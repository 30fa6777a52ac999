"""Ballots as members cast them (JSON) for each method: checking them and counting them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from commonpot.errors import Invalid
from commonpot.governance import count_methods
from commonpot.governance.ballot_profiles import (
    ApprovalProfile,
    MajorityProfile,
    QuadraticProfile,
    RankedProfile,
)
from commonpot.governance.count_results import TallyResult

RANKED = ("irv", "stv", "schulze", "borda")
MAJORITY_OPTIONS = ["yes", "no", "abstain"]
Ballot = dict[str, Any]


def _option(options: list[str], value: Any, where: str) -> int:
    if not isinstance(value, str) or value not in options:
        raise Invalid("Choose among: %(options)s.", field=where, options=", ".join(options))
    return options.index(value)


def check_ballot(method: str, options: list[str], ballot: Any, budget: int = 100) -> Ballot:
    """Validate a ballot for the method and return its normal form."""
    if not isinstance(ballot, dict):
        raise Invalid("A ballot is a JSON object.", field="ballot")
    if method in {"plurality", "majority"}:
        return {"choice": options[_option(options, ballot.get("choice"), "ballot.choice")]}
    if method == "approval":
        chosen = ballot.get("approve")
        if not isinstance(chosen, list) or not chosen:
            raise Invalid("Approve at least one option.", field="ballot.approve")
        picked = sorted({_option(options, c, "ballot.approve") for c in chosen})
        return {"approve": [options[i] for i in picked]}
    if method in RANKED:
        return {"ranking": _check_ranking(options, ballot.get("ranking"))}
    if method == "quadratic":
        return {"credits": _check_credits(options, ballot.get("credits"), budget)}
    raise Invalid("Unknown method %(method)s.", field="method", method=repr(method))


def _check_ranking(options: list[str], ranking: Any) -> list[list[str]]:
    if not isinstance(ranking, list) or not ranking:
        raise Invalid("Rank at least one option.", field="ballot.ranking")
    seen: set[int] = set()
    groups: list[list[str]] = []
    for item in ranking:
        group = item if isinstance(item, list) else [item]
        indices = [_option(options, g, "ballot.ranking") for g in group]
        if not indices or seen.intersection(indices) or len(set(indices)) != len(indices):
            raise Invalid("Rank each option at most once.", field="ballot.ranking")
        seen.update(indices)
        groups.append([options[i] for i in sorted(indices)])
    return groups


def _check_credits(options: list[str], credits: Any, budget: int) -> dict[str, int]:
    if not isinstance(credits, dict):
        raise Invalid("Spend credits as {option: credits}.", field="ballot.credits")
    spent: dict[str, int] = {}
    for name, value in credits.items():
        _option(options, name, "ballot.credits")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid("Credits are whole numbers, zero or more.", field="ballot.credits")
        if value:
            spent[name] = value
    if sum(spent.values()) > budget:
        raise Invalid(
            "You have %(budget)s credits to spend.", field="ballot.credits", budget=budget
        )
    if not spent:
        raise Invalid("Spend at least one credit.", field="ballot.credits")
    return dict(sorted(spent.items()))


def count(
    method: str,
    options: list[str],
    seats: int,
    ballots: Iterable[tuple[Ballot, int]],
    *,
    rules: dict[str, Any],
    eligible: int,
    seed: int,
) -> TallyResult:
    """Count weighted ballots (normal form) with the proposal's method and frozen rules.

    With no vote cast there is no winner: the result says `no_votes` and names nobody
    (the tie-breaking lot would otherwise draw one among options nobody chose).
    """
    weighted = list(ballots)
    result = _count(method, options, seats, weighted, rules=rules, eligible=eligible, seed=seed)
    if sum(weight for _, weight in weighted) <= 0:
        result.winners = []
        result.tie_break_seed = None
        result.details["no_votes"] = True
    return result


def _count(
    method: str,
    options: list[str],
    seats: int,
    weighted: list[tuple[Ballot, int]],
    *,
    rules: dict[str, Any],
    eligible: int,
    seed: int,
) -> TallyResult:
    index = {name: i for i, name in enumerate(options)}
    names = tuple(options)
    if method == "majority":
        votes = Counter[str]()
        for ballot, weight in weighted:
            votes[ballot["choice"]] += weight
        return count_methods.majority(
            MajorityProfile(votes["yes"], votes["no"], votes["abstain"]),
            threshold=Fraction(rules.get("threshold", "1/2")),
            quorum=Fraction(rules.get("quorum", "0")),
            eligible=max(eligible, sum(votes.values())),
            inclusive=bool(rules.get("inclusive", False)),
        )
    if method == "approval":
        approvals = Counter[tuple[int, ...]]()
        for ballot, weight in weighted:
            approvals[tuple(sorted(index[n] for n in ballot["approve"]))] += weight
        return count_methods.approval(ApprovalProfile(names, dict(approvals)), seats, seed)
    if method == "quadratic":
        spending = Counter[tuple[tuple[int, int], ...]]()
        for ballot, weight in weighted:
            spending[tuple(sorted((index[n], c) for n, c in ballot["credits"].items()))] += weight
        return count_methods.quadratic(QuadraticProfile(names, dict(spending)), seats, seed)
    rankings = Counter[tuple[tuple[int, ...], ...]]()
    for ballot, weight in weighted:
        groups = ballot.get("ranking") or [[ballot["choice"]]]
        rankings[tuple(tuple(sorted(index[n] for n in g)) for g in groups)] += weight
    return count_methods.count_ranked(method, RankedProfile(names, dict(rankings)), seats, seed)


def decide(result: TallyResult, *, turnout: int, eligible: int, quorum: Fraction) -> bool:
    """Whether the proposal succeeded: majority by its own rule, choices by quorum + a winner."""
    if result.method == "majority":
        return bool(result.details.get("passed"))
    return bool(result.winners) and turnout > 0 and turnout >= quorum * eligible

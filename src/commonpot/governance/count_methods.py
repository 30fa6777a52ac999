"""Counting methods over ballot profiles, with exact arithmetic and every round explained.

Single-round methods (plurality, approval, borda, schulze, quadratic, majority) report one
round holding the final scores. ``seats`` picks the best N; a tie across the cut is
settled by a seeded lot whose seed is reported. Conventions for partial rankings:

- plurality: the first group counts if it holds one candidate; a tied first group is an
  overvote and the ballot is reported as exhausted (as is an empty one).
- borda: a candidate scores one point per voter per opponent it is ranked strictly above
  (unranked candidates share the bottom); on complete strict rankings this is the classic
  n-1, n-2, ..., 0 count.
- schulze: pairwise counts with ties and unranked-at-bottom, winning-votes strengths,
  strongest paths; a candidate's score is its number of pairwise path wins.
- quadratic: an option gets sqrt(credits) votes; totals are exact (see ``radicals``), an
  int when rational, else a string like ``"3+2*sqrt(2)"``.
- majority: passes when yes / (yes + no) is more than ``threshold`` (or at least it, with
  ``inclusive``) and turnout (abstentions included) is at least ``quorum * eligible``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from commonpot.errors import Invalid
from commonpot.governance import radicals
from commonpot.governance.ballot_profiles import (
    PREFLIB_KINDS,
    ApprovalProfile,
    MajorityProfile,
    QuadraticProfile,
    RankedProfile,
    approval_from_ranked,
    parse_approval_csv,
    parse_majority_csv,
    parse_preflib,
    parse_quadratic_csv,
    parse_ranked_csv,
)
from commonpot.governance.count_results import Lot, Number, Round, TallyResult, top
from commonpot.governance.transfer import irv, stv

if TYPE_CHECKING:  # numpy loads only for the pairwise counts (Borda, Schulze)
    import numpy as np
    import numpy.typing as npt

RANKED_METHODS = ("plurality", "irv", "stv", "schulze", "borda")
METHODS = (*RANKED_METHODS, "approval", "quadratic", "majority")


def _scored(
    method: str,
    names: tuple[str, ...],
    scores: list[Number],
    *,
    seats: int,
    lot: Lot,
    exhausted: Number = 0,
) -> TallyResult:
    chosen = top(scores, seats, lot)
    order = sorted(range(len(names)), key=lambda c: (-scores[c], c))
    counts: dict[str, Number | str] = {names[c]: scores[c] for c in order}
    return TallyResult(method, [names[c] for c in chosen], [Round(counts, exhausted)], lot.seed)


def plurality(profile: RankedProfile, seats: int = 1, seed: int | None = None) -> TallyResult:
    """First preferences; a tied first group (overvote) or empty ballot counts as exhausted."""
    scores: list[Number] = [0] * len(profile.candidates)
    exhausted = 0
    for ranking, weight in profile.ballots.items():
        if ranking and len(ranking[0]) == 1:
            scores[ranking[0][0]] += weight
        else:
            exhausted += weight
    return _scored(
        "plurality", profile.candidates, scores, seats=seats, lot=Lot(seed), exhausted=exhausted
    )


def approval(profile: ApprovalProfile, seats: int = 1, seed: int | None = None) -> TallyResult:
    """Approval count: one vote for each approved candidate."""
    scores: list[Number] = [0] * len(profile.candidates)
    for chosen, weight in profile.ballots.items():
        for c in chosen:
            scores[c] += weight
    return _scored("approval", profile.candidates, scores, seats=seats, lot=Lot(seed))


def rank_matrix(profile: RankedProfile) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per distinct ballot, each candidate's group position (unranked = after the last)."""
    import numpy as np

    flat = profile.flat
    n_cand = len(profile.candidates)
    ranks = np.full((len(flat.weights), n_cand), n_cand + 1, dtype=np.int64)
    ranks[flat.row, flat.candidate] = flat.position
    return ranks, flat.weights


def pairwise(profile: RankedProfile) -> npt.NDArray[np.int64]:
    """d[a, b] = number of voters ranking a strictly above b."""
    import numpy as np

    ranks, weights = rank_matrix(profile)
    if int(weights.sum()) >= 2**53:
        raise Invalid("too many ballots to count pairwise exactly", field="ballots")
    n_cand = len(profile.candidates)
    d = np.zeros((n_cand, n_cand), dtype=np.int64)
    if not len(weights):
        return d
    # per pair, a weighted joint histogram of the two candidates' positions; float64
    # sums of whole numbers below 2**53 are exact, so no rounding ever happens
    k = int(ranks.max()) + 1
    above = np.triu(np.ones((k, k), dtype=bool), 1)
    columns = np.ascontiguousarray(ranks.T)
    w = weights.astype(np.float64)
    for a in range(n_cand):
        for b in range(a + 1, n_cand):
            joint = np.bincount(columns[a] * k + columns[b], weights=w, minlength=k * k)
            joint = joint.reshape(k, k)
            d[a, b] = round(float(joint[above].sum()))
            d[b, a] = round(float(joint.T[above].sum()))
    return d


def borda(profile: RankedProfile, seats: int = 1, seed: int | None = None) -> TallyResult:
    """Borda count as the sum of pairwise wins (exact for partial and tied rankings)."""
    scores: list[Number] = [int(s) for s in pairwise(profile).sum(axis=1)]
    return _scored("borda", profile.candidates, scores, seats=seats, lot=Lot(seed))


def strongest_paths(d: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Schulze widest paths over winning-votes link strengths."""
    import numpy as np

    p = np.where(d > d.T, d, 0)
    for i in range(len(d)):
        p = np.maximum(p, np.minimum(p[:, i : i + 1], p[i : i + 1, :]))
    np.fill_diagonal(p, 0)
    return p


def schulze(profile: RankedProfile, seats: int = 1, seed: int | None = None) -> TallyResult:
    """Schulze method; scores are the numbers of pairwise path wins."""
    p = strongest_paths(pairwise(profile))
    scores: list[Number] = [int(s) for s in (p > p.T).sum(axis=1)]
    result = _scored("schulze", profile.candidates, scores, seats=seats, lot=Lot(seed))
    names = profile.candidates
    result.details["paths"] = {
        names[a]: {names[b]: int(p[a, b]) for b in range(len(names)) if b != a}
        for a in range(len(names))
    }
    return result


def quadratic(profile: QuadraticProfile, seats: int = 1, seed: int | None = None) -> TallyResult:
    """Quadratic voting: each option receives the exact square root of the credits spent on it."""
    totals: list[radicals.Radical] = [{} for _ in profile.candidates]
    for spending, weight in profile.ballots.items():
        for c, credits in spending:
            radicals.add(totals[c], radicals.sqrt_of(credits), weight)
    lot = Lot(seed)
    chosen = top(totals, seats, lot, radicals.compare)
    names = profile.candidates
    order = sorted(
        range(len(names)),
        key=lambda c: sum(
            1 for o in range(len(names)) if radicals.compare(totals[o], totals[c]) > 0
        ),
    )
    counts: dict[str, Number | str] = {}
    for c in order:
        text = radicals.to_text(totals[c])
        counts[names[c]] = text
    return TallyResult("quadratic", [names[c] for c in chosen], [Round(counts)], lot.seed)


def majority(
    profile: MajorityProfile,
    threshold: Fraction = Fraction(1, 2),
    quorum: Fraction = Fraction(0),
    eligible: int | None = None,
    inclusive: bool = False,
) -> TallyResult:
    """Yes/no/abstain vote with a pass threshold over yes+no and a turnout quorum."""
    if not 0 <= threshold < 1 or not 0 <= quorum <= 1:
        raise Invalid("threshold must be in [0, 1) and quorum in [0, 1]", field="threshold")
    electorate = profile.voters if eligible is None else eligible
    if electorate < profile.voters:
        raise Invalid("more ballots than eligible voters", field="eligible")
    quorum_met = profile.voters >= quorum * electorate and profile.voters > 0
    decided = profile.yes + profile.no
    share = Fraction(profile.yes, decided) if decided else Fraction(0)
    passed = quorum_met and decided > 0 and (share >= threshold if inclusive else share > threshold)
    counts: dict[str, Number | str] = {
        "yes": profile.yes,
        "no": profile.no,
        "abstain": profile.abstain,
    }
    return TallyResult(
        "majority",
        ["yes" if passed else "no"],
        [Round(counts)],
        None,
        {
            "passed": passed,
            "quorum_met": quorum_met,
            "yes_share": f"{share.numerator}/{share.denominator}",
            "threshold": f"{threshold.numerator}/{threshold.denominator}",
            "inclusive": inclusive,
            "quorum": f"{quorum.numerator}/{quorum.denominator}",
            "eligible": electorate,
        },
    )


def count_ranked(
    method: str, profile: RankedProfile, seats: int = 1, seed: int | None = None
) -> TallyResult:
    """Dispatch a ranked-ballot method by name."""
    if seats < 1:
        raise Invalid("seats must be at least 1", field="seats")
    if method == "irv":
        if seats != 1:
            raise Invalid("irv elects one seat; use stv for more", field="seats")
        return irv(profile, seed)
    if method == "stv":
        return stv(profile, seats, seed)
    if method == "plurality":
        return plurality(profile, seats, seed)
    if method == "borda":
        return borda(profile, seats, seed)
    if method == "schulze":
        return schulze(profile, seats, seed)
    raise Invalid(
        "unknown ranked method %(method)s; choose from %(methods)s",
        field="method",
        method=repr(method),
        methods=", ".join(RANKED_METHODS),
    )


def count_text(
    method: str,
    text: str,
    suffix: str = ".csv",
    *,
    seats: int = 1,
    seed: int | None = None,
    threshold: Fraction = Fraction(1, 2),
    quorum: Fraction = Fraction(0),
    eligible: int | None = None,
    inclusive: bool = False,
    budget: int | None = None,
) -> TallyResult:
    """Parse a ballot file's text (PrefLib by suffix, else CSV) and count it with `method`."""
    if method not in METHODS:
        raise Invalid(
            "unknown method %(method)s; choose from %(methods)s",
            field="method",
            method=repr(method),
            methods=", ".join(METHODS),
        )
    is_preflib = suffix.lower().lstrip(".") in PREFLIB_KINDS
    if not any(
        line.strip() and not line.lstrip().startswith("#")
        for line in text.removeprefix("\ufeff").splitlines()
    ):
        raise Invalid("the file holds no ballots", field="ballots")
    if method == "majority":
        if is_preflib:
            raise Invalid("majority ballots are CSV rows of yes/no/abstain", field="ballots")
        return majority(parse_majority_csv(text), threshold, quorum, eligible, inclusive)
    if method == "quadratic":
        if is_preflib:
            raise Invalid("quadratic ballots are CSV rows like A=9;B=4", field="ballots")
        return quadratic(parse_quadratic_csv(text, budget), seats, seed)
    if method == "approval":
        if is_preflib:
            return approval(
                approval_from_ranked(parse_preflib(text, suffix.lower().lstrip("."))), seats, seed
            )
        return approval(parse_approval_csv(text), seats, seed)
    ranked = (
        parse_preflib(text, suffix.lower().lstrip(".")) if is_preflib else parse_ranked_csv(text)
    )
    return count_ranked(method, ranked, seats, seed)

"""Transferable-vote counts: instant runoff (IRV) and multi-seat STV with exact Gregory transfers.

Rules (spec "Counting rules that must hold"):

- A ballot counts for its highest-ranked group holding a continuing candidate. If that
  group holds two or more continuing candidates (an overvote) the ballot is exhausted for
  the rest of the count, as in US ranked-choice rules; so is a ballot with no continuing
  candidate left. Exhausted ballots are reported per round.
- IRV: a candidate with more than half of the continuing votes wins; otherwise the one
  with the fewest votes is eliminated.
- STV: Droop quota ``floor(valid / (seats + 1)) + 1`` over the first-round valid votes.
  Every continuing candidate reaching the quota is elected in the same round; their
  surpluses are then transferred together by the weighted inclusive Gregory method (each
  of their ballots moves on at ``weight * surplus / total``, exact ``Fraction``). When
  nobody reaches the quota the lowest candidate is eliminated and their ballots move on
  at their current weight. When the continuing candidates are no more than the seats
  left, all are elected.
- A tie for fewest is broken by the most recent earlier round in which the tied
  candidates' votes differed (fewest there goes), then by a seeded lot.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from commonpot.governance.ballot_profiles import RankedProfile, Ranking
from commonpot.governance.count_results import Lot, Number, Round, TallyResult

if TYPE_CHECKING:  # numpy loads only when the vectorised count runs
    import numpy as np
    import numpy.typing as npt

MAX_MASK_CANDIDATES = 63
# below this many distinct ballots the plain count finishes before numpy would even load
# (about 60 ms); both engines apply the same rules and give the same result
FAST_FROM_BALLOTS = 10_000


def fewest(tied_from: list[int], history: list[dict[int, Number]], lot: Lot) -> int:
    """Pick the candidate to eliminate among those with the fewest votes now."""
    now = history[-1]
    low = min(now[c] for c in tied_from)
    tied = sorted(c for c in tied_from if now[c] == low)
    for past in reversed(history[:-1]):
        if len(tied) == 1:
            break
        low = min(past.get(c, 0) for c in tied)
        tied = [c for c in tied if past.get(c, 0) == low]
    return tied[0] if len(tied) == 1 else lot.sample(tied, 1)[0]


def _advance(ranking: Ranking, start: int, continuing: set[int]) -> tuple[int, int] | None:
    """(position, candidate) of the first group with a continuing candidate; None = exhausted."""
    for pos in range(start, len(ranking)):
        live = [c for c in ranking[pos] if c in continuing]
        if len(live) == 1:
            return pos, live[0]
        if live:
            return None
    return None


class _Count:
    """Mutable state of a transferable-vote count over aggregated ballots."""

    def __init__(self, profile: RankedProfile, exact: bool) -> None:
        self.rankings = list(profile.ballots)
        weights = profile.ballots.values()
        self.weight: list[Number] = [Fraction(w) if exact else w for w in weights]
        self.pos = [0] * len(self.rankings)
        self.continuing = set(range(len(profile.candidates)))
        self.piles: dict[int, list[int]] = {c: [] for c in self.continuing}
        self.totals: dict[int, Number] = dict.fromkeys(self.continuing, 0)
        self.exhausted: Number = 0
        self._place(range(len(self.rankings)))

    def _place(self, ballots: range | list[int]) -> None:
        for b in ballots:
            found = _advance(self.rankings[b], self.pos[b], self.continuing)
            if found is None:
                self.exhausted += self.weight[b]
                continue
            self.pos[b], cand = found
            self.piles[cand].append(b)
            self.totals[cand] += self.weight[b]

    def remove(self, cands: list[int], factors: dict[int, Fraction] | None = None) -> None:
        """Take candidates out of the count and move their ballots on (scaled for surpluses)."""
        self.continuing.difference_update(cands)
        for cand in cands:
            pile = self.piles.pop(cand)
            del self.totals[cand]
            if factors is not None:
                for b in pile:
                    self.weight[b] = self.weight[b] * factors[cand]
            self._place(pile)


def irv_reference(
    profile: RankedProfile, lot: Lot
) -> tuple[list[int], list[dict[int, Number]], list[Number], list[int]]:
    """Plain-Python IRV: (winner list, totals per round, exhausted per round, eliminated order)."""
    count = _Count(profile, exact=False)
    history: list[dict[int, Number]] = []
    exhausted: list[Number] = []
    eliminated: list[int] = []
    while True:
        history.append(dict(count.totals))
        exhausted.append(count.exhausted)
        live = sum(count.totals.values())
        leaders = [c for c, v in count.totals.items() if 2 * v > live]
        if leaders or len(count.continuing) <= 1:
            winners = leaders or sorted(count.continuing)
            return winners, history, exhausted, eliminated
        loser = fewest(sorted(count.continuing), history, lot)
        eliminated.append(loser)
        count.remove([loser])


def _encode(profile: RankedProfile) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    import numpy as np

    flat = profile.flat
    width = max(flat.width, 1)
    masks = np.zeros((len(flat.weights), width), dtype=np.uint64)
    if not len(flat.candidate):
        return masks, flat.weights
    bits = np.left_shift(np.uint64(1), flat.candidate.astype(np.uint64))
    # flat entries run ballot by ballot, group by group: a tied group's members are adjacent
    cell = flat.row * width + flat.position
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    masks.reshape(-1)[cell[starts]] = np.bitwise_or.reduceat(bits, starts)
    return masks, flat.weights


def _first_live(masks: npt.NDArray[np.uint64], live_mask: int) -> npt.NDArray[np.int64]:
    """Current candidate of each ballot row, or -1 when exhausted (overvote or none left)."""
    import numpy as np

    inter = masks & np.uint64(live_mask)
    has = inter != 0
    first = np.argmax(has, axis=1)
    group = inter[np.arange(len(masks)), first]
    single = np.bitwise_count(group) == 1
    cand = np.bitwise_count(group - np.uint64(1)).astype(np.int64)
    return np.where(single, cand, -1)


def irv_fast(
    profile: RankedProfile, lot: Lot
) -> tuple[list[int], list[dict[int, Number]], list[Number], list[int]]:
    """Vectorised IRV over bitmask-encoded ballots (at most 63 candidates), same rules."""
    import numpy as np

    n_cand = len(profile.candidates)
    masks, weights = _encode(profile)
    live_mask = (1 << n_cand) - 1
    current = _first_live(masks, live_mask)
    # last slot collects exhausted ballots; float64 sums of whole numbers below 2**53 are exact
    if int(weights.sum()) >= 2**53:
        raise ValueError("too many ballots to count exactly")
    slots = np.where(current < 0, n_cand, current)
    sums = np.bincount(slots, weights=weights.astype(np.float64), minlength=n_cand + 1)
    totals = np.rint(sums).astype(np.int64)
    continuing = set(range(n_cand))
    history: list[dict[int, Number]] = []
    exhausted: list[Number] = []
    eliminated: list[int] = []
    while True:
        history.append({c: int(totals[c]) for c in sorted(continuing)})
        exhausted.append(int(totals[-1]))
        live = int(totals[:-1].sum())
        leaders = [c for c in continuing if 2 * int(totals[c]) > live]
        if leaders or len(continuing) <= 1:
            return leaders or sorted(continuing), history, exhausted, eliminated
        loser = fewest(sorted(continuing), history, lot)
        eliminated.append(loser)
        continuing.discard(loser)
        live_mask &= ~(1 << loser)
        moved = np.flatnonzero(current == loser)
        new = _first_live(masks[moved], live_mask)
        current[moved] = new
        totals[loser] = 0
        np.add.at(totals, new, weights[moved])


def irv(
    profile: RankedProfile, seed: int | None = None, *, fast: bool | None = None
) -> TallyResult:
    """Instant-runoff count with every round explained.

    `fast`: True forces the vectorised engine, False the plain one, None picks by size.
    """
    lot = Lot(seed)
    names = profile.candidates
    vectorise = len(profile.ballots) >= FAST_FROM_BALLOTS if fast is None else fast
    engine = irv_fast if vectorise and len(names) <= MAX_MASK_CANDIDATES else irv_reference
    winners, history, exhausted, eliminated = engine(profile, lot)
    rounds = [
        Round(
            counts={names[c]: v for c, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))},
            exhausted=exhausted[i],
            eliminated=[names[eliminated[i]]] if i < len(eliminated) else [],
        )
        for i, totals in enumerate(history)
    ]
    return TallyResult("irv", [names[w] for w in winners], rounds, lot.seed)


def droop_quota(valid: Number, seats: int) -> int:
    """Droop quota: the smallest whole number of votes that no more than `seats` can reach."""
    return int(Fraction(valid) // (seats + 1)) + 1


def stv(profile: RankedProfile, seats: int = 1, seed: int | None = None) -> TallyResult:
    """Multi-seat STV, Droop quota, exact weighted inclusive Gregory transfers."""
    lot = Lot(seed)
    names = profile.candidates
    count = _Count(profile, exact=True)
    quota = droop_quota(sum(count.totals.values()), seats)
    history: list[dict[int, Number]] = []
    rounds: list[Round] = []
    elected: list[int] = []
    while len(elected) < seats and count.continuing:
        history.append(dict(count.totals))
        order = sorted(count.continuing, key=lambda c: (-count.totals[c], c))
        counts: dict[str, Number | str] = {names[c]: count.totals[c] for c in order}
        step = Round(counts, count.exhausted, [], [])
        rounds.append(step)
        if len(order) <= seats - len(elected):
            reached = order
        else:
            reached = [c for c in order if count.totals[c] >= quota]
        if reached:
            elected.extend(reached)
            step.elected = [names[c] for c in reached]
            factors = {
                c: max(Fraction(0), 1 - quota / Fraction(count.totals[c]))
                if count.totals[c]
                else Fraction(0)
                for c in reached
            }
            count.remove(reached, factors)
            continue
        loser = fewest(order, history, lot)
        step.eliminated = [names[loser]]
        count.remove([loser])
    return TallyResult(
        "stv", [names[c] for c in elected], rounds, lot.seed, {"quota": quota, "seats": seats}
    )

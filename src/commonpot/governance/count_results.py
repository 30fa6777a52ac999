"""Tally results (rounds, winners, the seed of any lot drawn) and the shared tie-breaking lot."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cmp_to_key
from typing import Any

Number = int | Fraction
JsonValue = Any


def render(value: Number | str) -> int | str:
    """Exact number for JSON: an int, or a fraction as the string "p/q"."""
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction):
        return (
            value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        )
    return int(value)


@dataclass
class Round:
    """One counting round: scores of the candidates still in play and what the round decided."""

    counts: dict[str, Number | str]
    exhausted: Number = 0
    eliminated: list[str] = field(default_factory=list)
    elected: list[str] | None = None

    def to_json(self) -> dict[str, JsonValue]:
        """The round as in the spec's `--json` output."""
        out: dict[str, JsonValue] = {
            "counts": {name: render(v) for name, v in self.counts.items()},
            "exhausted": render(self.exhausted),
            "eliminated": list(self.eliminated),
        }
        if self.elected is not None:
            out["elected"] = list(self.elected)
        return out


@dataclass
class TallyResult:
    """Outcome of a count: winners in order, every round, and the seed if a lot was drawn."""

    method: str
    winners: list[str]
    rounds: list[Round]
    tie_break_seed: int | None = None
    details: dict[str, JsonValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, JsonValue]:
        """The result in the spec's `--json` shape (method-specific details appended)."""
        out: dict[str, JsonValue] = {
            "method": self.method,
            "winners": list(self.winners),
            "rounds": [r.to_json() for r in self.rounds],
            "tie_break_seed": self.tie_break_seed,
        }
        out.update(self.details)
        return out


class Lot:
    """A seeded lot; the seed is reported only if a draw was actually needed."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._rng: random.Random | None = None

    def sample(self, options: Sequence[int], k: int) -> list[int]:
        """Draw k of the options (given in a canonical order) by lot."""
        if self._rng is None:
            if self._seed is None:
                self._seed = secrets.randbits(32)
            self._rng = random.Random(self._seed)
        return self._rng.sample(list(options), k)

    @property
    def seed(self) -> int | None:
        """The seed, if the lot was drawn; None otherwise."""
        return self._seed if self._rng is not None else None


def _natural(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


def top(
    scores: Sequence[Any],
    n: int,
    lot: Lot,
    compare: Callable[[Any, Any], int] | None = None,
) -> list[int]:
    """Indices of the n best scores, best first; a tie across the cut is settled by lot."""
    cmp = compare or _natural

    def by_score(i: int, j: int) -> int:
        return cmp(scores[j], scores[i]) or i - j

    order = sorted(range(len(scores)), key=cmp_to_key(by_score))
    n = min(n, len(order))
    if n == 0:
        return []
    cut = scores[order[n - 1]]
    tied = [i for i in order if cmp(scores[i], cut) == 0]
    above = [i for i in order if cmp(scores[i], cut) > 0]
    if len(above) + len(tied) == n:
        return order[:n]
    drawn = set(lot.sample(tied, n - len(above)))
    return above + [i for i in tied if i in drawn]

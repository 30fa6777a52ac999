"""Conviction voting (Commons Stack / 1Hive Gardens), as exact rational functions.

Per time step, a proposal's conviction is ``y_t = a * y_{t-1} + x_t`` with ``a`` the decay
(0 < a < 1) and ``x_t`` the tokens staked on it during the step; with a constant stake it
approaches ``x / (1 - a)``. A funding request of ``r`` out of a pool of ``R`` passes once

    y_t >= rho * S / ((1 - a) * (beta - r / R) ** 2)

where ``beta`` is the spending limit (largest share of the pool one proposal may take),
``rho`` the weight, and ``S`` the effective supply: the tokens staked on all proposals,
but at least ``min_stake_ratio`` of the total supply (Gardens' minimum effective supply).
A request of ``beta`` or more of the pool can never pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

Q = Fraction | int


@dataclass(frozen=True)
class ConvictionParams:
    """Decay `a`, spending limit `beta`, weight `rho`, minimum effective-supply ratio."""

    decay: Fraction = Fraction(9, 10)
    spending_limit: Fraction = Fraction(1, 5)
    weight: Fraction = Fraction(1, 400)
    min_stake_ratio: Fraction = Fraction(1, 20)

    def __post_init__(self) -> None:
        if not 0 < self.decay < 1:
            raise ValueError("decay must be in (0, 1)")
        if not 0 < self.spending_limit <= 1:
            raise ValueError("spending limit must be in (0, 1]")
        if self.weight <= 0 or not 0 <= self.min_stake_ratio <= 1:
            raise ValueError("weight must be positive, min_stake_ratio in [0, 1]")


def step(previous: Q, staked: Q, decay: Q) -> Fraction:
    """One step of conviction: a * y_prev + x."""
    return Fraction(decay) * previous + staked


def accumulate(stakes: Iterable[Q], decay: Q, start: Q = 0) -> list[Fraction]:
    """Conviction after each step of a stake history."""
    y = Fraction(start)
    out = []
    for x in stakes:
        y = step(y, x, decay)
        out.append(y)
    return out


def after(steps: int, staked: Q, decay: Q, start: Q = 0) -> Fraction:
    """Closed form after `steps` steps of a constant stake: a^t y0 + x (1 - a^t) / (1 - a)."""
    if steps < 0:
        raise ValueError("steps must be non-negative")
    a = Fraction(decay)
    at = a**steps
    return at * start + Fraction(staked) * (1 - at) / (1 - a)


def effective_supply(total_staked: Q, total_supply: Q, params: ConvictionParams) -> Fraction:
    """Tokens staked on all proposals, but at least min_stake_ratio of the supply."""
    return max(Fraction(total_staked), params.min_stake_ratio * total_supply)


def threshold(requested: Q, pool: Q, supply: Q, params: ConvictionParams) -> Fraction | None:
    """Conviction needed to pass a request; None when it can never pass (r/R >= beta)."""
    if pool <= 0:
        return None
    gap = params.spending_limit - Fraction(requested) / pool
    if gap <= 0:
        return None
    return params.weight * supply / ((1 - params.decay) * gap * gap)


def passes(conviction: Q, requested: Q, pool: Q, supply: Q, params: ConvictionParams) -> bool:
    """True when conviction has reached the threshold for the request."""
    needed = threshold(requested, pool, supply, params)
    return needed is not None and conviction >= needed


def steps_to_pass(
    staked: Q, requested: Q, pool: Q, supply: Q, params: ConvictionParams, *, start: Q = 0
) -> int | None:
    """Fewest steps of a constant stake after which the request passes; None if never."""
    needed = threshold(requested, pool, supply, params)
    if needed is None:
        return None
    return steps_to_reach(staked, needed, params.decay, start=start)


def steps_to_reach(staked: Q, needed: Q, decay: Q, *, start: Q = 0) -> int | None:
    """Fewest steps of a constant stake until conviction >= needed; None if never."""
    if start >= needed:
        return 0
    a = Fraction(decay)
    ceiling = Fraction(staked) / (1 - a)
    if ceiling <= needed:
        return None
    # a^t (y0 - c) + c >= needed  <=>  a^t <= (c - needed) / (c - y0); float estimate, exact fix-up
    ratio = (ceiling - needed) / (ceiling - start)
    t = max(0, math.floor(math.log(ratio) / math.log(a)) - 1)
    while after(t, staked, a, start) < needed:
        t += 1
    while t > 0 and after(t - 1, staked, a, start) >= needed:
        t -= 1
    return t

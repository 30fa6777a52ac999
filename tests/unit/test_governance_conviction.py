"""Conviction voting: the recurrence, its closed form, thresholds and time to pass."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.governance.conviction import (
    ConvictionParams,
    accumulate,
    after,
    effective_supply,
    passes,
    steps_to_pass,
    threshold,
)

PARAMS = ConvictionParams(
    decay=Fraction(9, 10),
    spending_limit=Fraction(1, 5),
    weight=Fraction(1, 400),
    min_stake_ratio=Fraction(1, 20),
)


def test_recurrence_by_hand() -> None:
    # y1 = 100, y2 = 0.9*100 + 100 = 190, y3 = 0.9*190 + 0 = 171
    assert accumulate([100, 100, 0], Fraction(9, 10)) == [100, 190, 171]


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 60), st.integers(0, 10_000), st.integers(0, 10_000))
def test_closed_form_equals_recurrence(steps: int, staked: int, start: int) -> None:
    history = accumulate([staked] * steps, PARAMS.decay, start)
    assert after(steps, staked, PARAMS.decay, start) == (history[-1] if history else start)


def test_threshold_by_hand() -> None:
    # rho*S / ((1-a)(beta - r/R)^2) = (1/400)*10000 / (0.1 * (0.2-0.1)^2) = 25 / 0.001 = 25000
    assert threshold(1_000, 10_000, 10_000, PARAMS) == 25_000
    assert threshold(2_000, 10_000, 10_000, PARAMS) is None  # r/R == beta: never
    assert threshold(1, 0, 10_000, PARAMS) is None


def test_effective_supply_has_a_floor() -> None:
    assert effective_supply(100, 100_000, PARAMS) == 5_000
    assert effective_supply(9_000, 100_000, PARAMS) == 9_000


def test_steps_to_pass_is_the_first_step_over_the_threshold() -> None:
    # stake 3000 approaches 30000 > 25000: a^t <= 1/6 -> t = 18 (0.9^17 = 0.1668, 0.9^18 = 0.150)
    t = steps_to_pass(3_000, 1_000, 10_000, 10_000, PARAMS)
    assert t == 18
    assert passes(after(18, 3_000, PARAMS.decay), 1_000, 10_000, 10_000, PARAMS)
    assert not passes(after(17, 3_000, PARAMS.decay), 1_000, 10_000, 10_000, PARAMS)
    assert steps_to_pass(2_500, 1_000, 10_000, 10_000, PARAMS) is None  # ceiling == threshold
    assert steps_to_pass(3_000, 1_000, 10_000, 10_000, PARAMS, start=30_000) == 0


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError, match="decay"):
        ConvictionParams(decay=Fraction(1))
    with pytest.raises(ValueError, match="spending"):
        ConvictionParams(spending_limit=Fraction(0))

"""The sentence about how evenly space is shared follows from the evenness value."""

from __future__ import annotations

import math

import pytest

from commonpot.ecology.explain import evenness_band, notes, ratings


@pytest.mark.parametrize(
    ("evenness", "crops", "band"),
    [
        (0.95, 3, "even"),
        (0.85, 3, "even"),
        (0.84, 3, "fairly_even"),
        (0.70, 3, "fairly_even"),
        (0.62, 4, "uneven"),  # South Dome in the demo: not "fairly evenly"
        (0.50, 4, "uneven"),
        (0.49, 4, "dominated"),
        (None, 1, "single"),
        (0.9, 1, "single"),
    ],
)
def test_bands(evenness: float | None, crops: int, band: str) -> None:
    assert evenness_band(evenness, crops) == band


def _report(areas: list[float]) -> dict[str, object]:
    total = sum(areas)
    shannon = -sum(a / total * math.log(a / total) for a in areas)
    alpha = {
        "richness": len(areas),
        "hill_1": math.exp(shannon),
        "pielou_evenness": shannon / math.log(len(areas)) if len(areas) > 1 else None,
    }
    return {
        "alpha": {"South Dome": alpha},
        "partition": {"gamma": None, "alpha": None, "beta": None},
    }


def test_south_dome_is_not_called_fairly_even() -> None:
    report = _report([520, 140, 60, 20])  # evenness 0.62
    line = ratings(report)[0]
    assert "fairly evenly" not in line
    assert "one or two crops take more space than the rest" in line
    (place, _weakest) = notes(report)
    assert place["band"] == "uneven"
    assert place["evenness"] == pytest.approx(0.6233, abs=1e-3)

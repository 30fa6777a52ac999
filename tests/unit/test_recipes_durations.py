"""Recipe times: ISO 8601 and everyday phrases to canonical ISO 8601."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot.recipes.durations import duration_seconds, format_duration, normalise_duration


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PT20M", "PT20M"),
        ("PT90M", "PT1H30M"),
        ("P0DT1H30M", "PT1H30M"),
        ("PT0.5H", "PT30M"),
        ("PT1H0M", "PT1H"),
        ("pt45m", "PT45M"),
        ("P1DT2H", "P1DT2H"),
        ("PT26H", "P1DT2H"),
        ("P1W", "P7D"),
        ("PT90S", "PT1M30S"),
        ("45", "PT45M"),
        ("45 min", "PT45M"),
        ("1 hour 30 minutes", "PT1H30M"),
        ("1 hr 15 mins", "PT1H15M"),
        ("1h30", "PT1H30M"),
        ("2 days", "P2D"),
        ("1,5 hours", "PT1H30M"),
        # in Spanish, as the editor's placeholder suggests to a Spanish reader
        ("1 hora 30 minutos", "PT1H30M"),
        ("1 hora y 5 minutos", "PT1H5M"),
        ("20 minutos", "PT20M"),
        ("2 días", "P2D"),
        ("1 dia", "P1D"),
        ("1,5 horas", "PT1H30M"),
        ("30 segundos", "PT30S"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise_duration(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, "", "P", "PT", "PT0M", "P0D", "soon", "overnight-ish", "una hora", "2 horitas"]
)
def test_absent_zero_or_unreadable(raw: str | None) -> None:
    assert normalise_duration(raw) is None


def test_seconds() -> None:
    assert duration_seconds("PT1H1M1S") == 3661
    assert duration_seconds("nonsense") is None


def test_format_zero() -> None:
    assert format_duration(0) == "PT0S"


@given(st.integers(min_value=1, max_value=10**7))
def test_format_then_read_is_identity(seconds: int) -> None:
    assert duration_seconds(format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20 minutos", "PT20M"),
        ("1 hora 30 minutos", "PT1H30M"),
        ("2 horas", "PT2H"),
        ("1 día", "P1D"),
        ("3 dias", "P3D"),
        ("45 segundos", "PT45S"),
    ],
)
def test_a_spanish_cook_writes_times_in_spanish(raw: str, expected: str) -> None:
    """The form's example reads "20 minutos" in Spanish: what it shows must be understood."""
    assert normalise_duration(raw) == expected

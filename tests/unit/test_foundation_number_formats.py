"""Numbers and shares as the reader writes them are remembered (`i18n._decimal`,
`templating._share`): each answer is Babel's own, whichever was asked first, in each
language, for ints and floats alike, and zero keeps its sign as Babel writes it."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal

from commonpot.i18n import _format_number
from commonpot.templating import _format_share

CASES = [1, 1.0, 2.5, 1234.5678, 1234567, -3.14159, 0.005, 0, 0.0, -0.0, 10**12]


@pytest.mark.parametrize("locale", ["en", "es"])
def test_remembered_numbers_are_babels_in_either_order(locale: str) -> None:
    fmt = _format_number(locale)
    for _ in range(2):  # the second round answers from memory
        for value in [*CASES, *reversed(CASES)]:
            for digits in (0, 1, 2):
                expected = format_decimal(round(value, digits), locale=locale)
                assert fmt(value, digits) == expected, (value, digits)
    assert fmt(None) == ""
    assert fmt(-0.0, 0) == format_decimal(-0.0, locale=locale) == "-0"
    assert fmt(0, 0) == "0"


def test_languages_do_not_share_an_answer() -> None:
    assert _format_number("en")(1234.5, 1) == "1,234.5"
    assert _format_number("es")(1234.5, 1) == "1.234,5"
    assert _format_number("en")(12345.5, 1) == "12,345.5"
    assert _format_number("es")(12345.5, 1) == "12.345,5"


def test_shares_read_as_percentages_and_unreadable_ones_as_given() -> None:
    en, es = _format_share("en"), _format_share("es")
    assert en("2/3") == "66.7 %"
    assert es("2/3") == "66,7 %"
    assert en(0.25) == en("0.25") == "25 %"
    assert en("1/2", 0) == "50 %"
    assert en("half") == "half"
    assert en("1/0") == "1/0"

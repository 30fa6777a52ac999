"""Dates and numbers follow the reader's locale; times are read to the minute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commonpot.i18n import _format_number, translations_for
from commonpot.templating import _format_dt, make_templates

WHEN = datetime(2026, 12, 4, 18, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "width", "expected"),
    [
        ("es", "medium", "4 dic 2026, 18:30"),
        ("es", "long", "4 de diciembre de 2026, 18:30"),
        ("en", "medium", "Dec 4, 2026, 6:30\u202fPM"),
        ("es", "short", "4/12/26, 18:30"),
    ],
)
def test_times_have_no_seconds(locale: str, width: str, expected: str) -> None:
    shown = _format_dt(locale)(WHEN, width)
    assert shown == expected
    assert ":15" not in shown


@pytest.mark.parametrize(
    ("pattern", "spanish", "english"),
    [
        (
            "EEEE d MMMM y, HH:mm",
            "viernes, 4 de diciembre de 2026, 18:30",
            "Friday, December 4, 2026, 6:30\u202fPM",
        ),
        (
            "EEE d MMM y, HH:mm zzz",
            "vie, 4 dic 2026, 18:30 UTC",
            "Fri, Dec 4, 2026, 6:30\u202fPM UTC",
        ),
        ("EEE d MMM, HH:mm", "vie, 4 dic, 18:30", "Fri, Dec 4, 6:30\u202fPM"),
        ("d MMM y", "4 dic 2026", "Dec 4, 2026"),
        ("HH:mm zzz", "18:30 UTC", "6:30\u202fPM UTC"),
    ],
)
def test_a_pattern_is_written_in_the_readers_order_and_words(
    pattern: str, spanish: str, english: str
) -> None:
    """A template's pattern names the fields; the reader's locale orders and words them
    ("de" in Spanish dates, a 12-hour clock in US English), to the minute."""
    assert _format_dt("es")(WHEN, pattern) == spanish
    assert _format_dt("en")(WHEN, pattern) == english


def test_numbers_use_the_locales_decimal_sign() -> None:
    assert _format_number("es")(2.375, 2) == "2,38"
    assert _format_number("en")(1210.5, 1) == "1,210.5"


def test_roles_and_states_read_in_spanish() -> None:
    env = make_templates().env
    template = env.from_string("eres {{ role|term }} · {{ state|term }}")
    from commonpot import templating

    token = templating._CURRENT.set(translations_for("es"))
    try:
        assert template.render(role="steward", state="withdrawn") == "eres administrador · retirada"
        assert template.render(role="member", state="open") != "eres member · open"
    finally:
        templating._CURRENT.reset(token)
    assert template.render(role="custodian", state="open") == "eres custodian · open"

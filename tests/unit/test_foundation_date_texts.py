"""Dates as pages write them (`templating._format_dt`), kept once written: the same moment
in another time zone is written for that zone, whichever was written first, and a date
without a time is written as before."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from commonpot.templating import _format_dt


def test_the_same_moment_in_two_zones_is_written_for_each() -> None:
    moment = datetime(2026, 7, 1, 17, 30, tzinfo=UTC)
    mexico = moment.astimezone(ZoneInfo("America/Mexico_City"))
    assert moment == mexico  # equal instants: a key on the moment alone would mix them
    es = _format_dt("es")
    for first, second in ((moment, mexico), (mexico, moment)):
        a, b = es(first, "HH:mm zzz"), es(second, "HH:mm zzz")
        assert a != b
    assert es(moment, "HH:mm zzz") == "17:30 UTC"
    assert es(mexico, "HH:mm zzz").startswith("11:30 ")
    assert _format_dt("en_US")(moment, "HH:mm") == "5:30\u202fPM"


def test_a_date_without_a_time_is_written_in_the_readers_words() -> None:
    assert (
        _format_dt("es")(date(2026, 12, 11), "EEEE d MMMM y") == "viernes, 11 de diciembre de 2026"
    )
    assert _format_dt("en")(None) == ""

"""Stored keys, moments and numbers read as words in the reader's language (issue 19 audit).

Notices keep their parts as stored text (an alert kind `moisture_low`, a moment in ISO, a
reading "35.9", coordinates); the inbox and e-mails word them for each reader. Ledger entries
of the food network read as sentences, not as their kind.
"""

from __future__ import annotations

import json

from commonpot.governance.ledger_words import describe
from commonpot.i18n import Reader, stored_word
from commonpot.notifications import mail

ALARM = {
    "community": "Riverside",
    "device": "South tumbler",
    "alert": "moisture_low",
    "level": "warn",
    "since": "2026-12-05T11:25:00Z",
    "peak": "35.9",
}


def test_a_compost_alarm_reads_as_words_with_local_time_and_numbers() -> None:
    subject, body = mail.words("telemetry_alarm", ALARM, "es_ES")
    assert subject == "South tumbler: humedad baja (aviso)"
    assert "desde 5 dic 2026, 11:25" in body and "35,9" in body
    assert "2026-12-05T" not in body and "35.9" not in body
    subject, body = mail.words("telemetry_alarm", ALARM, "en")
    # English readers read words too, never the stored keys
    assert subject == "South tumbler: low moisture (warning)"
    assert "moisture_low" not in body and "warn)" not in body
    assert "Dec 5, 2026" in body and "11:25" in body and ":00Z" not in body


def test_an_event_change_and_a_handover_say_when_as_the_reader_writes_it() -> None:
    changed = {
        "community": "R",
        "title": "Supper",
        "starts": "2026-12-11T18:00+00:00",
        "where": "Kitchen",
        "menu": "Pozole",
    }
    _, body = mail.words("event_changed", changed, "es")
    assert "11 dic 2026, 18:00" in body and "T18:00" not in body
    handover = {
        "community": "R",
        "category": "greens",
        "quantity": 6,
        "unit": "bunches",
        "when": "2026-12-06 03:00 UTC",
    }
    subject, body = mail.words("handover_confirmed", handover, "es")
    assert subject == "Confirmado: 6 manojos de greens"
    assert "6 dic 2026, 3:00" in body and "UTC" not in body


def test_where_a_matched_need_is_reads_with_the_readers_decimal_sign() -> None:
    matched = {
        "community": "R",
        "category": "squash",
        "quantity": 6,
        "where": "51.4536, -2.5850 (0.4 km)",
    }
    _, spanish = mail.words("need_matched", matched, "es")
    assert "(0,4 km)" in spanish and "51.4536" not in spanish
    _, english = mail.words("need_matched", matched, "en")
    # as every page writes coordinates: three decimals (about 100 m)
    assert "51.454, -2.585 (0.4 km)" in english


def test_stored_keys_have_words() -> None:
    assert stored_word("picked_up") == "on its way"
    assert stored_word("moisture_high") == "high moisture"
    assert stored_word("Lina's own words") == "Lina's own words"
    spanish = Reader("es")
    assert spanish.gettext(stored_word("handed_over")) == "entregada"
    assert spanish.gettext(stored_word("warn")) == "aviso"


def test_the_food_networks_ledger_entries_read_as_sentences() -> None:
    run = describe(
        7,
        json.dumps({"type": "network.run_committed", "run": 1, "allocated": 65, "handovers": 9}),
        {},
    )
    assert run.text == "Allocation run #%(run)s was committed: its handovers went out."
    assert run.parts["run"] == "1"
    spanish = Reader("es")
    handed = describe(
        8,
        json.dumps(
            {
                "type": "network.handover_completed",
                "run": 1,
                "handover": 2,
                "quantity": 6,
                "unit": "bunches",
                "category": "greens",
            }
        ),
        {},
        spanish.gettext,
    )
    sentence = spanish.gettext(handed.text) % handed.parts
    assert sentence == "Se entregaron 6 manojos de greens (reparto n.º 1)."


def test_a_long_silence_reads_in_hours_or_days_not_thousands_of_minutes() -> None:
    """A drum silent for 1,455 minutes read "1.455 min" in Spanish (a thousand and more)."""
    from commonpot.templating import _format_minutes

    assert _format_minutes("es_ES")(1455) == "24 horas"
    assert _format_minutes("en")(1455) == "24 hours"
    assert _format_minutes("es_ES")(45) == "45 minutos"
    assert _format_minutes("es_ES")(4000) == "3 días"
    assert _format_minutes("en")("not a number") == "not a number"


def test_an_empty_text_reads_empty_in_every_language_not_the_catalog_header() -> None:
    from commonpot.cli_language import LeanWords
    from commonpot.jobs.texts import shown
    from commonpot.templating import make_templates

    # gettext keeps the catalog's metadata as the translation of "": a job without a
    # message yet showed "Project-Id-Version: ..." to Spanish readers
    spanish = Reader("es")
    assert spanish.gettext("") == ""
    assert spanish.gettext("Recipes") == "Recetas"  # the catalog itself is still there
    assert shown("", spanish) == ""
    assert LeanWords("es").gettext("") == ""
    from commonpot.i18n import _CURRENT, translations_for

    page = make_templates().env.from_string("[{{ _(title) }}|{{ _('Recipes') }}]")
    token = _CURRENT.set(translations_for("es"))
    try:
        assert page.render(title="") == "[|Recetas]"
    finally:
        _CURRENT.reset(token)

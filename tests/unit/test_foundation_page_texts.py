"""What every page shares, written once: `_()` in templates (escaped-safe Markup, kept per
catalog), the UI texts the scripts read (`ui_texts_json`), and `templating.fragment`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from markupsafe import Markup

from commonpot.i18n import _CURRENT, translations_for
from commonpot.templating import (
    TEMPLATES_DIR,
    _page_gettext,
    _ui_texts,
    _ui_texts_json,
    fragment,
    make_templates,
)


def test_no_template_turns_autoescape_off() -> None:
    """`_page_gettext` gives Markup on the grounds that every template is autoescaped."""
    for path in TEMPLATES_DIR.rglob("*"):
        if path.is_file():
            assert "autoescape" not in path.read_text(encoding="utf-8"), path


def test_page_texts_are_translated_markup_with_their_variables_escaped() -> None:
    token = _CURRENT.set(translations_for("es"))
    try:
        plain = _page_gettext("Ingredients")
        assert isinstance(plain, Markup) and plain == "Ingredientes"
        assert _page_gettext("Ingredients") is plain  # kept once formatted
        said = _page_gettext("by %(author)s", author="<b>Rosa</b>")
        assert said == "de &lt;b&gt;Rosa&lt;/b&gt;"
    finally:
        _CURRENT.reset(token)
    token = _CURRENT.set(translations_for("en"))
    try:
        assert _page_gettext("Ingredients") == "Ingredients"
    finally:
        _CURRENT.reset(token)


def test_the_ui_texts_embedded_in_a_page_are_the_languages_own() -> None:
    for locale in ("en", "es"):
        text = str(_ui_texts_json(locale))
        assert json.loads(text) == _ui_texts(locale)
        assert "<" not in text and ">" not in text  # cannot end the script element


def test_a_fragment_is_written_in_its_language_from_its_values_alone() -> None:
    templates = make_templates()
    moment = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)

    class Said:
        seq, text, parts, at, pretty = 3, "Recorded: %(type)s.", {"type": "x<y"}, moment, "{}"

    spanish = fragment(templates, "governance/_ledger_entry.html", "es", e=Said())
    english = fragment(templates, "governance/_ledger_entry.html", "en", e=Said())
    assert 'value="3"' in spanish and "x&lt;y" in spanish
    assert "Entrada 3" in spanish and "Entry 3 as recorded (JSON)" in english
    assert "7 dic 2026, 18:30" in spanish and "Dec 7, 2026, 6:30" in english
    assert "csrf" not in spanish

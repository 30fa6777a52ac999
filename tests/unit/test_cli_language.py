"""The command line's lean words read as Babel's (`i18n.Reader`) for every locale they answer."""

from __future__ import annotations

import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo

from commonpot import cli_language, i18n
from commonpot.cli_language import _SYMBOLS, LeanWords, requested

NUMBERS = [
    (0, 0),
    (7, 0),
    (1234, 0),
    (-12345, 0),
    (1234567, 0),
    (10**22, 0),
    (1.5, 2),
    (2.0, 2),
    (0.1, 2),
    (1234.56, 2),
    (-9876.54321, 2),
    (0.125, 2),
    (2.675, 2),
    (1.23456, 4),
    (1e20, 0),
    (1234567.891, 1),
    (3.14159, 0),
]


@pytest.mark.parametrize("locale", sorted(_SYMBOLS))
def test_numbers_read_as_babel_writes_them(locale: str) -> None:
    lean, babel = LeanWords(locale), i18n.Reader(locale)
    for value, digits in NUMBERS:
        assert lean.number(value, digits) == babel.number(value, digits), (value, digits)
    assert lean.number(None) == babel.number(None) == ""


def test_spanish_messages_and_plurals_read_as_the_catalog() -> None:
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        catalog = read_mo(mo)
    lean, babel = LeanWords("es_ES"), i18n.Reader("es_ES")
    checked = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            singular, plural = message.id[0], message.id[1]
            for n in (0, 1, 2, 5):
                assert lean.ngettext(singular, plural, n) == babel.ngettext(singular, plural, n)
        else:
            assert lean.gettext(message.id) == babel.gettext(message.id)
        checked += 1
    assert checked > 500
    assert lean.gettext("Verifying") == "Verificando"
    assert LeanWords("en_GB").gettext("Verifying") == "Verifying"


@pytest.mark.parametrize(
    ("environ", "code", "locale"),
    [
        ({}, "en", "en"),
        ({"LANG": "C.UTF-8"}, "en", "en"),
        ({"LANG": "es_ES.UTF-8"}, "es_ES", "es_ES"),
        ({"LANG": "es_XX.UTF-8"}, "es_XX", "es"),
        ({"LANG": "es_ES.UTF-8", "LC_ALL": "C"}, "en", "en"),
        ({"LANGUAGE": "fr:es_MX", "LANG": "en_US.UTF-8"}, "es_MX", "es_MX"),
        ({"LC_MESSAGES": "es_AR@euro"}, "es_AR", "es_AR"),
    ],
)
def test_the_locale_asked_for_and_the_one_babel_reads(
    environ: dict[str, str], code: str, locale: str
) -> None:
    assert requested(environ) == code
    assert i18n.cli_locale(environ) == locale


def test_the_usual_locales_are_worded_without_babel() -> None:
    probe = (
        "import sys; from commonpot.cli_language import cli_text; "
        "print(cli_text('ok: %(size)s entries, checkpoint verified, "
        "%(signatures)s member signatures checked, %(boxes)s sealed ballot boxes recounted', "
        "size=12345, signatures=2, boxes=1)); print('babel' in sys.modules)"
    )
    for lang, line in [
        ("C.UTF-8", "ok: 12,345 entries, checkpoint verified"),
        ("es_ES.UTF-8", "ok: 12.345 entradas, punto de control verificado"),
    ]:
        env = {"LANG": lang, "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
        )
        out, loaded = done.stdout.splitlines()
        assert out.startswith(line)
        assert loaded == "False"


def test_other_locales_fall_back_to_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "es_PE.UTF-8")  # Spanish, but not a locale of the table
    words = cli_language.cli_words()
    assert isinstance(words, i18n.Reader)
    assert words.gettext("Verifying") == "Verificando"
    assert i18n.cli_text("%(n)s", n=1234.5) == i18n.Reader("es_PE").number(1234.5)


def test_language_names_are_babels() -> None:
    assert LeanWords("es_ES").language("en") == i18n.Reader("es_ES").language("en") == "inglés"
    assert LeanWords("en").language("es") == "Spanish"

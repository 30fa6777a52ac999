"""The command line's language without Babel: the lean paths' words, and everyone's.

A person waits for the whole command, and Babel (its locale data, its number patterns) costs
more to load than some commands take to run. For the locales whose number symbols are listed
in `_SYMBOLS` (English and Spanish as most people set them), `cli_words` reads the compiled
catalog with the standard library's gettext (nothing at all in English) and writes numbers
as Babel would (`tests/unit/test_cli_language.py` compares them); any other locale is worded
by `commonpot.i18n` with Babel. `i18n.cli_words` and `i18n.cli_text` answer through this
module too, so the lean and the full path of a command print the same bytes.
"""

from __future__ import annotations

import os
from functools import lru_cache

# typing itself is not imported: `commonpot --help` loads this module and waits for it
# (type checkers read any name TYPE_CHECKING as true)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from commonpot.i18n import Reader

# a plain path (no pathlib): the top-level help words itself through this module at start-up
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
SUPPORTED = ("en", "es")  # the languages with a catalog (i18n.SUPPORTED_LOCALES)
# where gettext looks for the language of a program's messages, first set wins
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# (group, decimal) of the locales worded without Babel; Babel's decimal pattern for each of
# them is "#,##0.###" (groups of three, at most three decimals)
_SYMBOLS = {
    **dict.fromkeys(("en", "en_US", "en_GB", "en_CA", "en_AU", "en_IE"), (",", ".")),
    **dict.fromkeys(("es_MX", "es_US", "es_419"), (",", ".")),
    **dict.fromkeys(("es", "es_ES", "es_AR", "es_CO", "es_CL"), (".", ",")),
}


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, translate later")
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def requested(environ: Mapping[str, str] | None = None) -> str:
    """The locale the environment asks for, read as gettext does, before Babel checks it.

    The first of LANGUAGE (a list), LC_ALL, LC_MESSAGES, LANG that is set decides: its first
    choice in a language with a catalog (`es_ES` of `es_ES.UTF-8`), else English.
    """
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARIABLES:
        value = env.get(name, "")
        if not value:
            continue
        for choice in value.split(":") if name == "LANGUAGE" else [value]:
            code = choice.split(".")[0].split("@")[0].replace("-", "_")
            if code.split("_")[0].lower() in SUPPORTED:
                return code
        return "en"
    return "en"


class LeanWords:
    """Words in a locale of `_SYMBOLS`: the catalog through stdlib gettext, Babel's numbers."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.group, self.decimal = _SYMBOLS[locale]
        self._catalog: Any = None
        if not locale.startswith("en"):
            import gettext

            self._catalog = gettext.translation(
                "messages", LOCALE_DIR, languages=[locale], fallback=True
            )
            self._catalog._catalog.pop("", None)  # the header: an empty text reads empty

    def gettext(self, message: str) -> str:
        """The message in the command line's language."""
        return message if self._catalog is None else str(self._catalog.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural message for `n`."""
        if self._catalog is None:
            return singular if n == 1 else plural
        return str(self._catalog.ngettext(singular, plural, n))

    def number(self, value: float | int | None, digits: int = 2) -> str:
        """The number as Babel writes it for the locale (`i18n.Reader.number`)."""
        if value is None:
            return ""
        rounded = round(value, digits)
        if isinstance(rounded, int):
            text = f"{rounded:,}"
        else:
            from decimal import ROUND_HALF_EVEN, Decimal  # only for fractions (an import's cost)

            places = Decimal(1).scaleb(-min(max(digits, 0), 3))
            exact = Decimal(str(rounded)).quantize(places, ROUND_HALF_EVEN)
            text = f"{exact:,f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            if text in {"-0", "0"}:
                text = "0"
        if self.group == ",":
            return text
        return text.translate({ord(","): self.group, ord("."): self.decimal})

    def person(self, user_id: int) -> str:
        """A person by their member number."""
        return self.gettext("member #%(id)s") % {"id": user_id}

    def language(self, code: str) -> str:
        """A language code as the locale names the language (Babel's names, loaded now)."""
        from commonpot.i18n import Reader

        return Reader(self.locale).language(code)


@lru_cache(maxsize=4)
def _lean(locale: str) -> LeanWords:
    return LeanWords(locale)


def cli_words() -> LeanWords | Reader:
    """Words for the command line's human lines, in the locale of its environment."""
    code = requested()
    if code in _SYMBOLS:
        return _lean(code)
    from commonpot.i18n import cli_reader

    return cli_reader()


def cli_text(message: str, **parts: Any) -> str:
    """A message for a command's output, in the command line's language, parts filled in.

    Numbers (int and float parts) are written as the locale writes them; text as it is.
    """
    words = cli_words()
    text = words.gettext(message)
    if not parts:
        return text
    shown = {
        k: words.number(v, 0 if isinstance(v, int) else 2)
        if isinstance(v, int | float) and not isinstance(v, bool)
        else v
        for k, v in parts.items()
    }
    return text % shown

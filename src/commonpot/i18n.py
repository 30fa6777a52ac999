"""The reader's language: catalogs, the locale a request reads in, and words for Python code.

Templates get the same through `templating` (which re-exports what pages and handlers use);
`Reader` words sentences built in Python for the reader of a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from babel.support import Translations

from commonpot import cli_language
from commonpot.cli_language import requested

if TYPE_CHECKING:  # the command line words its output here too, without the web framework
    from fastapi import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_COOKIE = "commonpot_lang"
_CURRENT: ContextVar[Translations | None] = ContextVar("translations", default=None)
_SOURCE = Translations()


def _active() -> Translations:
    return _CURRENT.get() or _SOURCE


@lru_cache(maxsize=16)
def translations_for(locale: str) -> Translations:
    """The compiled catalog for a locale (English, the source language, needs none)."""
    loaded = Translations.load(str(LOCALE_DIR), [locale], domain="messages")
    found = loaded if isinstance(loaded, Translations) else Translations()
    without_header(found)
    return found


def without_header(catalog: Any) -> None:
    """Drop a compiled catalog's header entry, so that an empty text reads empty.

    gettext keeps the catalog's metadata (Project-Id-Version, ...) as the translation of "":
    an empty title or message (a job that has none yet) would show that block to readers of
    a translated language. The metadata is already parsed by then (plural rules, charset).
    """
    texts = getattr(catalog, "_catalog", None)
    if isinstance(texts, dict):
        texts.pop("", None)


# the languages with a catalog: a reader asking for another one reads English (and the page
# says lang="en", not a language its text is not in)
SUPPORTED_LOCALES = ("en", "es")
# the languages the switcher offers: those with a complete catalog (endonyms, not translated)
LANGUAGES = (("en", "English"), ("es", "Español"))


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, translate later")
    """Mark a string for extraction; it is translated where it is shown."""
    return message


# Words stored as values (roles, states, kinds, section labels) and shown through the `term`
# filter or `_()` at render time: listed here so that extraction finds them.
TERMS = (
    # roles
    N_("member"),
    N_("steward"),
    N_("custodian"),
    N_("elder"),
    N_("teacher"),
    N_("mentor"),
    N_("apprentice"),
    N_("learner"),
    N_("youth"),
    N_("student"),
    N_("participant"),
    N_("volunteer"),
    N_("cook"),
    # the answers of a yes / no vote (stored as the option names)
    N_("yes"),
    N_("no"),
    N_("abstain"),
    # states and statuses
    N_("queued"),
    N_("running"),
    N_("done"),
    N_("failed"),
    N_("cancelled"),
    N_("canceled"),
    N_("draft"),
    N_("pending"),
    N_("active"),
    N_("defeated"),
    N_("succeeded"),
    N_("expired"),
    N_("executed"),
    N_("open"),
    N_("closed"),
    N_("allocated"),
    N_("withdrawn"),
    N_("filled"),
    N_("committed"),
    N_("discarded"),
    N_("proposed"),
    N_("confirmed"),
    N_("picked_up"),
    N_("handed_over"),
    N_("declined"),
    N_("scheduled"),
    N_("waitlisted"),
    N_("adopted"),
    # kinds and reaches
    N_("event"),
    N_("class"),
    N_("flash"),
    N_("community"),
    N_("public"),
    N_("private"),
    N_("enclave"),
    N_("biodome"),
    N_("garden"),
    N_("kitchen"),
    N_("market"),
    N_("plaza"),
    N_("household"),
    N_("site"),
    # the community menu (each domain's SECTION label)
    N_("Recipes"),
    N_("Events"),
    N_("Food sharing"),
    N_("Decisions"),
    N_("Ecology"),
    N_("Biotumblers"),
    N_("From other communities"),
    # problem titles (errors.py, app.py) shown on the error page
    N_("Bad request"),
    N_("Invalid input"),
    N_("Not found"),
    N_("Forbidden"),
    N_("Sign-in required"),
    N_("Conflict"),
    N_("Too many attempts"),
    N_("Too large"),
    N_("Method not allowed"),
    N_("Error"),
    N_("A value is out of the range the database can store; check the numbers sent."),
    # texts that domains hand to templates, shown through _() there
    N_("Preparation"),
    N_("Cooking"),
    N_("Total"),
    N_("Save changes"),
    N_("No dishes on the menu yet: add recipes from the archive."),
    N_("Nobody is confirmed yet: amounts are for one person."),
    # the sections' blurbs, voting methods, action kinds, job steps, proposal states as headed
    N_("Ancestral recipes with their stories, lineage and protocols."),
    N_("Offer and ask for food, map foraging patches, share fairly."),
    N_("Proposals, votes and the community's verifiable ledger."),
    N_("How diverse our domes are, our seed bank, and plans to share seed fairly."),
    N_("Yes / no / abstain"),
    N_("One choice (plurality)"),
    N_("Approve any (approval)"),
    N_("Ranked, one winner (instant runoff)"),
    N_("Ranked, several winners (STV)"),
    N_("Ranked, head-to-head (Schulze)"),
    N_("Ranked, points (Borda)"),
    N_("Spend credits (quadratic)"),
    N_("majority"),
    N_("plurality"),
    N_("approval"),
    N_("irv"),
    N_("stv"),
    N_("schulze"),
    N_("borda"),
    N_("quadratic"),
    N_("A decision in words (nothing is executed)"),
    N_("Grant from the seed bank or shared treasury"),
    N_("Amend the constitution (the least quorum, majority and times per action)"),
    N_("Change a community setting"),
    N_("Admit a member"),
    N_("Remove a member"),
    N_("Adopt a crop-sharing plan"),
    N_("Let every member call flash events (or only stewards)"),
    N_("Commit an allocation run"),
    N_("Planning"),
    N_("Comparing"),
    N_("Solving"),
    N_("Working"),
    N_("Draft"),
    N_("Pending"),
    N_("Active"),
    N_("Canceled"),
    N_("Defeated"),
    N_("Succeeded"),
    N_("Queued"),
    N_("Expired"),
    N_("Executed"),
)

# Stored keys whose words differ from the key ("picked_up" reads "on its way"): the `term`
# filter and the notices read these words, so no reader, English included, sees the key.
STORED_WORDS = {
    "picked_up": N_("on its way"),
    "handed_over": N_("handed over"),
    "moisture_low": N_("low moisture"),
    "moisture_high": N_("high moisture"),
    "warn": N_("warning"),
}


def stored_word(value: str) -> str:
    """The English words (a msgid) for a stored key; any other value as it is."""
    return STORED_WORDS.get(value, value)


# Words the front-end scripts write into pages (chart labels, live notices), handed to them
# translated in the layout's <script type="application/json" id="ui-texts"> block.
UI_TEXTS = (
    N_("Live: flash events appear here as soon as they are called."),
    N_("Flash event"),
    N_("This event has just been cancelled. Reload the page."),
    N_("The menu changed: reload for the new shopping list."),
    N_("Move up:"),
    N_("Move down:"),
    N_("Round"),
    N_("new place"),
    N_("This plan"),
    N_("First come, first served"),
    N_("number of crops"),
    N_("Credits left: %(num)s"),
)


def chosen_locale(request: Request) -> str | None:
    """The language the reader picked: saved on their account, else in a cookie."""
    saved: str | None = getattr(request.state, "chosen_locale", None)
    if saved in SUPPORTED_LOCALES:
        return saved
    cookie = request.cookies.get(LANGUAGE_COOKIE, "")
    return cookie if cookie in SUPPORTED_LOCALES else None


def reader_locale(request: Request) -> str:
    """The reader's locale: their own choice (switcher), else Accept-Language, else English."""
    chosen = chosen_locale(request)
    if chosen:
        return chosen
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().replace("-", "_")
        if not code:
            continue
        base = code.split("_")[0].lower()
        if base in SUPPORTED_LOCALES:
            return code if _valid_locale(code) else base
    return "en"


class Reader:
    """The reader's language in Python code: gettext, ngettext, numbers and language names.

    Handlers hand it (or its bound methods) to services and engines that word sentences, so
    a sentence built in Python reads like one from a template.
    """

    def __init__(self, locale: str, names: dict[int, str] | None = None) -> None:
        self.locale = locale
        self.translations = translations_for(locale)
        self.names = names or {}

    def gettext(self, message: str) -> str:
        """The message in the reader's language."""
        return str(self.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural message for `n`, in the reader's language."""
        return str(self.translations.ngettext(singular, plural, n))

    def number(self, value: float | int | None, digits: int = 2) -> str:
        """A number as the reader writes it (decimal comma in Spanish)."""
        return str(_format_number(self.locale)(value, digits))

    def person(self, user_id: int) -> str:
        """A person by name when the reader may see it (`names`), else "member #id"."""
        if user_id in self.names:
            return self.names[user_id]
        return self.gettext("member #%(id)s") % {"id": user_id}

    def language(self, code: str) -> str:
        """A language code (`es`) as the reader names the language (`español`)."""
        try:
            name = Locale.parse(self.locale).languages.get(code.split("-", maxsplit=1)[0].lower())
        except (UnknownLocaleError, ValueError):
            name = None
        return str(name) if name else code


def reader(request: Request, names: dict[int, str] | None = None) -> Reader:
    """The reader of this request (their chosen or accepted language), knowing `names`."""
    return Reader(reader_locale(request), names)


def _valid_locale(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _format_number(locale: str) -> Any:
    def fmt(value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return ""
        if value != 0 and type(value) in _REMEMBERED:  # (zero: 0 and -0.0 read apart)
            return _decimal(value, digits, locale)
        return format_decimal(round(value, digits), locale=locale)

    return fmt


_REMEMBERED = (int, float)


@lru_cache(maxsize=4096, typed=True)
def _decimal(value: float, digits: int, locale: str) -> str:
    """A number as the reader writes it, remembered: pages show the same few numbers
    (rules, quantities, shares) again and again, and Babel's formatting costs more than
    looking them up."""
    return format_decimal(round(value, digits), locale=locale)


def cli_locale(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language, read as gettext does (LANGUAGE, LC_ALL, LC_MESSAGES, LANG).

    `es_ES.UTF-8` reads Spanish; C, POSIX, unset or a language without a catalog reads English.
    """
    code = requested(environ)
    return code if _valid_locale(code) else code.split("_")[0].lower()


@lru_cache(maxsize=4)
def _cli_reader(locale: str) -> Reader:
    return Reader(locale)


def cli_reader() -> Reader:
    """The command line's words through Babel (`cli_language` words the usual locales)."""
    return _cli_reader(cli_locale())


def cli_words() -> cli_language.LeanWords | Reader:
    """Words for the command line's human-facing lines, in the locale of its environment."""
    return cli_language.cli_words()


def cli_text(message: str, **parts: Any) -> str:
    """A message for a command's output, in the command line's language, parts filled in."""
    return cli_language.cli_text(message, **parts)

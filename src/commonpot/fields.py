"""Shared input field types, for schemas and services alike (no web framework here).

A web address people follow or the server fetches is http or https only: never
`javascript:`, `data:` or `file:`. A language tag is kept in its one canonical case. A
moment people type lies within years 1900-9000: a date a UTC column and a time zone hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) address with a host and no spaces or control characters."""
    text = value.strip()
    if not text or len(text) > 2000 or any(c.isspace() or ord(c) < 32 for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def check_web_url(value: str) -> str:
    """The address, or ValueError unless it is http(s) (never javascript:, data:, file: ...)."""
    if not is_web_url(value):
        raise ValueError("must be a web address starting with http:// or https://")
    return value.strip()


WebUrl = Annotated[str, AfterValidator(check_web_url)]
"""A link people follow or the server fetches: http or https only."""


def canonical_language(tag: str) -> str:
    """A BCP 47 language tag in its canonical case, so that one language has one spelling.

    Tags are case-insensitive ("EN" is "en"); the convention writes the language and other
    subtags in lower case, a four-letter script in title case and a two-letter region in
    upper case: "pt-br" -> "pt-BR", "ZH-HANT-tw" -> "zh-Hant-TW".
    """
    parts = tag.strip().split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def same_language(a: str, b: str) -> bool:
    """Whether two language tags name the same language (tags are case-insensitive)."""
    return a.strip().lower() == b.strip().lower()


LanguageTag = Annotated[str, AfterValidator(canonical_language)]
"""A language tag, stored in its canonical case (`canonical_language`)."""


FIRST_YEAR, LAST_YEAR = 1900, 9000
MOMENT_RANGE = (
    "A date must lie between the years 1900 and 9000."  # a msgid (Spanish in the catalog)
)


def check_moment(value: datetime) -> datetime:
    """The moment, or ValueError when it is outside years 1900-9000 (year 1 in Berlin is
    no moment in UTC at all, and nothing a community plans is that far off)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(MOMENT_RANGE)
    return value


Moment = Annotated[datetime, AfterValidator(check_moment)]
"""A date and time people type (an event's start, a pickup window): years 1900-9000."""

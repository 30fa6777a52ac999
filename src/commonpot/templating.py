"""Server-rendered pages: one Jinja2 environment with gettext, locale formatting and flashes."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from babel.core import get_global
from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_timezone,
    get_timezone_location,
    match_skeleton,
)
from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from commonpot.errors import DomainError, Worded
from commonpot.http import Ctx, csrf_token
from commonpot.i18n import (
    _CURRENT,
    LANGUAGE_COOKIE,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    SUPPORTED_LOCALES,
    TERMS,
    UI_TEXTS,
    Reader,
    _active,
    _format_number,
    chosen_locale,
    reader,
    reader_locale,
    stored_word,
    translations_for,
)

# what pages and handlers read about the reader's language lives in commonpot.i18n
__all__ = [
    "FLASH_COOKIE",
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "LOCALE_DIR",
    "N_",
    "SUPPORTED_LOCALES",
    "TEMPLATES_DIR",
    "TERMS",
    "UI_TEXTS",
    "Reader",
    "chosen_locale",
    "flash",
    "fragment",
    "make_templates",
    "reader",
    "reader_locale",
    "redirect",
    "redirect_error",
    "render",
    "translations_for",
    "warm",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
FLASH_COOKIE = "commonpot_flash"


def make_templates() -> Jinja2Templates:
    """The Jinja2 environment with the i18n extension and formatting filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        # templates change only with a new release (a restart): no stat of every template a
        # page extends or includes on every request
        auto_reload=False,
    )
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: _active().gettext(message),
        lambda singular, plural, n: _active().ngettext(singular, plural, n),
        newstyle=True,
    )
    # the same texts, without the extension's two indirect calls per `_()`, and a page's
    # fixed texts (no variables) kept once read: a page asks for some fifty of them
    env.globals["gettext"] = env.globals["_"] = _page_gettext
    env.filters["term"] = lambda value: _active().gettext(stored_word(str(value))) if value else ""
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.globals["jsonld"] = _jsonld_script
    return templates


# catalog -> {message: the text as the i18n extension returns it}
_PAGE_TEXTS: dict[int, tuple[Translations, dict[str, str]]] = {}
_PAGE_TEXTS_MAX = 20_000  # per catalog; texts from data (not templates) could be endless


def _page_gettext(message: str, **variables: Any) -> str:
    """`_()` and `{% trans %}` in templates: what jinja2.ext.i18n's newstyle gettext returns
    under autoescape (which every template of `make_templates` has, and none turns off).

    The translated text is escaped-safe Markup and always formatted with `%` (so `%%` reads
    `%`); texts without variables are kept per catalog once formatted. A plain function, not
    one that takes the template's context: Jinja calls it with less work, some fifty times a
    page."""
    catalog = _active()
    if not variables:
        key = id(catalog)
        entry = _PAGE_TEXTS.get(key)
        if entry is None or entry[0] is not catalog:
            entry = _PAGE_TEXTS[key] = (catalog, {})
        texts = entry[1]
        found = texts.get(message)
        if found is not None:
            return found
    # catalog texts are markup, as in jinja2.ext.i18n
    text: str = Markup(catalog.gettext(message)) % variables  # noqa: S704
    if not variables and len(texts) < _PAGE_TEXTS_MAX:
        texts[message] = text
    return text


def _jsonld_script(data: Any) -> Markup:
    # `<`, `>` and `&` as JSON escapes: no text can end the block or open a comment inside it
    text = (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return Markup(f'<script type="application/ld+json">{text}</script>')  # noqa: S704 (escaped above)


# babel's "medium", "long" and "full" times carry seconds; people read times to the minute
_WITH_SECONDS = ("medium", "long", "full")


@lru_cache(maxsize=64)
def _babel_locale(code: str) -> Locale:
    """The locale, parsed once (Babel's functions parse a code on every call)."""
    return Locale.parse(code)


@lru_cache(maxsize=256)
def _joiner(code: str, width: str) -> str:
    """How the locale joins a date ({1}) and a time ({0}) of this width."""
    return str(_babel_locale(code).datetime_formats[width]).replace("'", "")


def _to_the_minute(value: datetime, width: str, locale: str) -> str:
    """The locale's date of `width` with its short time, joined as the locale joins them."""
    loc = _babel_locale(locale)
    time = format_time(value, "short", locale=loc)
    return (
        _joiner(locale, width)
        .replace("{0}", time)
        .replace("{1}", format_date(value, width, locale=loc))
    )


def _field(pattern: str, letter: str) -> str:
    """The longest run of one pattern letter ("MMMM" in "EEEE d MMMM y"), or ""."""
    return max(re.findall(f"{letter}+", pattern), key=len, default="")


@lru_cache(maxsize=256)
def _plan(pattern: str) -> tuple[str, str, bool, bool]:
    """What `_as_the_reader_writes` writes for a pattern: the locale's date width ("full",
    "long", "medium") or else a skeleton of its date fields ("" for none), and whether it
    has a time and a zone. Patterns are few (the templates'): each is read once."""
    year, month = _field(pattern, "y"), _field(pattern, "M")
    weekday, day = _field(pattern, "E"), _field(pattern, "d")
    width = ""
    if year and month and day:
        # the locale's own full / long / medium dates where the fields are theirs
        if not weekday:
            width = "long" if len(month) >= 4 else "medium"
        elif len(weekday) >= 4 and len(month) >= 4:
            width = "full"
    skeleton = "" if width else year + month + weekday + day
    return width, skeleton, "H" in pattern or "h" in pattern, "z" in pattern


@lru_cache(maxsize=256)
def _skeleton_pattern(skeleton: str, code: str) -> Any:
    """The locale's pattern for a skeleton, as `babel.dates.format_skeleton` picks it (the
    closest match: a search over every skeleton of the locale, once here, not per date)."""
    skeletons = _babel_locale(code).datetime_skeletons
    chosen = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)
    return skeletons[chosen]


def _as_the_reader_writes(value: datetime, pattern: str, locale: str) -> str:
    """A date pattern written in one language's order ("EEE d MMM y, HH:mm zzz") as the
    reader's locale writes the same fields: the date by its CLDR form for them (Spanish
    "vie, 11 dic 2026", US English "Fri, Dec 11, 2026"), then the locale's short time
    ("18:00", "6:00 PM") and the zone, joined as the locale joins dates and times."""
    width, skeleton, with_time, with_zone = _plan(pattern)
    loc = _babel_locale(locale)
    date_text = ""
    if width:
        date_text = format_date(value, width, locale=loc)
    elif skeleton:
        date_text = format_datetime(value, _skeleton_pattern(skeleton, locale), locale=loc)
    time_text = ""
    if with_time:
        time_text = format_time(value, "short", locale=loc)
    if with_zone:
        time_text = f"{time_text} {format_datetime(value, 'zzz', locale=loc)}".strip()
    if date_text and time_text:
        return _joiner(locale, "medium").replace("{0}", time_text).replace("{1}", date_text)
    return date_text or time_text


def _format_dt(locale: str) -> Any:
    """`format_datetime(value, width_or_pattern)` for templates: Babel's widths (to the
    minute), or a pattern's fields in the reader's order and words."""

    def fmt(value: datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        return _formatted(value, repr(getattr(value, "tzinfo", None)), fmt, locale)

    return fmt


@lru_cache(maxsize=8192)
def _formatted(value: datetime, zone: str, fmt: str, locale: str) -> str:
    """A moment as `_format_dt` writes it. Pages show the same moments again and again (an
    event's start, a ledger entry's time) and Babel takes tens of microseconds for each:
    each is written once per process. `zone` (the value's own time zone, which the text
    shows) is part of the key, since moments equal in UTC compare equal across zones."""
    if fmt in _WITH_SECONDS:
        return _to_the_minute(value, fmt, locale)
    if fmt == "short":
        return str(format_datetime(value, format=fmt, locale=locale))
    return _as_the_reader_writes(value, fmt, locale)


def format_datetime_in(value: datetime, locale: str, width: str = "medium") -> str:
    """A date and time as a page in `locale` shows it (to the minute), outside a page."""
    return str(_format_dt(locale)(value, width))


def _format_day(locale: str) -> Any:
    """A day kept as ISO text ("2025-12-20") as the reader writes it ("20 dic 2025")."""

    def fmt(value: Any) -> str:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            return str(value or "")
        return str(format_date(day, "medium", locale=locale))

    return fmt


@lru_cache(maxsize=256)
def zone_name(zone: str, locale: str) -> str:
    """A time zone as the reader names it: "United Kingdom Time", "hora de Reino Unido";
    a zone of no country by its long name ("Coordinated Universal Time"); an id Babel does
    not know, as it is."""
    try:
        tz = get_timezone(zone)
    except LookupError:
        return zone
    if zone in get_global("zone_territories"):
        return str(get_timezone_location(tz, locale=locale))
    return str(
        format_datetime(datetime(2026, 1, 1, 12, tzinfo=UTC), "zzzz", tzinfo=tz, locale=locale)
    )


def _zone_name(locale: str) -> Any:
    def fmt(zone: str | None) -> str:
        return zone_name(zone, locale) if zone else ""

    return fmt


def _format_share(locale: str) -> Any:
    """A share ("2/3", "0.5", 0.25) as the reader writes a percentage: "66,7 %"."""

    def fmt(value: Any, digits: int = 1) -> str:
        return _share(str(value), digits, locale)

    return fmt


@lru_cache(maxsize=1024)
def _share(text: str, digits: int, locale: str) -> str:
    """`_format_share`'s answer, remembered (a constitution's few shares, on every
    governance page)."""
    try:
        share = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return text
    return f"{_format_number(locale)(float(share) * 100, digits)} %"


def _format_minutes(locale: str) -> Any:
    """A span of minutes as the reader says it, rounded to its largest unit: "24 horas"."""

    def fmt(minutes: Any) -> str:
        try:
            span = timedelta(minutes=float(minutes))
        except (TypeError, ValueError, OverflowError):
            return str(minutes)
        return str(format_timedelta(span, threshold=1.5, locale=locale))

    return fmt


def flash(response: Response, request: Request, message: str, kind: str = "success") -> None:
    """Show a message on the next page the person sees."""
    if isinstance(message, Worded):  # its parts would not survive the cookie: word it now
        words = Reader(reader_locale(request))
        message = message.words(words.gettext, words.number)
    signer = URLSafeSerializer(request.app.state.secret_key, salt="flash")
    response.set_cookie(
        FLASH_COOKIE,
        signer.dumps([kind, message]),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=60,
    )


def _take_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        kind, message = URLSafeSerializer(request.app.state.secret_key, salt="flash").loads(raw)
    except (BadSignature, ValueError, TypeError):
        return None
    return str(kind), str(message)


def redirect(request: Request, url: str, message: str | None = None) -> RedirectResponse:
    """A 303 redirect after a form post, with an optional flash message."""
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, request, message)
    return response


def redirect_error(request: Request, url: str, exc: DomainError) -> RedirectResponse:
    """A 303 redirect back to a page that shows what went wrong as an error message."""
    response = RedirectResponse(url, status_code=303)
    flash(response, request, exc.detail, "error")
    return response


def warm(templates: Jinja2Templates) -> None:
    """Compile every template and read every language's catalog and locale data now, rather
    than on the first requests that need them (a served process does this at start-up)."""
    env = templates.env
    for name in env.list_templates(filter_func=lambda name: name.endswith((".html", ".xml"))):
        env.get_template(name)
    for code in SUPPORTED_LOCALES:
        _ui_texts(code)
        words = Reader(code)
        words.number(1234.5)
        words.language("en")
        format_datetime(datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "long", locale=code)


def _in_words_of(locale: str) -> dict[str, Any]:
    """What a template writes in the reader's words with: the locale, its date, number,
    share, span, day and zone formats, and a `Reader` (pages and fragments alike)."""
    return {
        "locale": locale,
        "format_datetime": _format_dt(locale),
        "format_number": _format_number(locale),
        "format_share": _format_share(locale),
        "format_minutes": _format_minutes(locale),
        "format_day": _format_day(locale),
        "zone_name": _zone_name(locale),
        "reader": Reader(locale),
    }


def fragment(templates: Jinja2Templates, template: str, locale: str, **values: Any) -> Markup:
    """A part of a page (`template`, an include) rendered from `values` alone, in `locale`:
    with the page's gettext and formats for that locale (`_in_words_of`), and nothing
    of the request or the reader (no viewer, no CSRF token, no flash). Its text is therefore a
    function of (template, locale, values), which a caller may keep and give again to every
    reader (e.g. `governance.web`'s ledger entries, which never change once written)."""
    catalog = translations_for(locale)
    context = {**_in_words_of(locale), **values}
    token = _CURRENT.set(catalog)
    try:
        return Markup(templates.env.get_template(template).render(context))  # noqa: S704 (autoescaped)
    finally:
        _CURRENT.reset(token)


# stands for the reader's CSRF token in a fragment kept for every reader (a blank form, a
# list's rows): `for_reader` puts each reader's own token in its place
READER_TOKEN = f"csrf-{secrets.token_hex(16)}"


def for_reader(request: Request, kept: str) -> Markup:
    """A kept fragment (or several, joined), written with `READER_TOKEN`, with this reader's
    CSRF token in its place."""
    return Markup(kept.replace(READER_TOKEN, str(escape(csrf_token(request)))))  # noqa: S704


# context values that carry a message in English (a problem detail, a form error)
_TRANSLATED_KEYS = ("error", "form_error", "detail")


@lru_cache(maxsize=16)
def _ui_texts(locale: str) -> dict[str, str]:
    catalog = translations_for(locale)
    return {text: catalog.gettext(text) for text in UI_TEXTS}


@lru_cache(maxsize=16)
def _ui_texts_json(locale: str) -> Markup:
    """`_ui_texts(locale)` as the layout embeds it (`|tojson`'s very text), written once per
    language rather than on every page."""
    return htmlsafe_json_dumps(_ui_texts(locale), sort_keys=True)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    ctx: Ctx | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with everything the layout needs (viewer, CSRF token, flash, locale)."""
    locale = reader_locale(request)
    viewer = ctx.viewer if ctx else getattr(request.state, "viewer", None)
    my_communities: Any = ()
    unread = 0
    if ctx is not None and viewer is not None and viewer.user is not None:
        # the person's communities and unread count, one statement (commonpot.page_header)
        header = request.app.state.page_header(ctx.session, viewer)
        my_communities, unread = header.communities, header.unread
    catalog = translations_for(locale)
    taken = _take_flash(request)
    base: dict[str, Any] = {
        "request": request,
        "viewer": viewer,
        "csrf_token": csrf_token(request),
        # flashes and problem details are kept in English (the msgid) and read in the
        # reader's language here; an already translated text passes through unchanged
        "flash": (taken[0], catalog.gettext(taken[1])) if taken else None,
        "lang": locale.split("_")[0],
        "languages": LANGUAGES,
        "ui_texts": _ui_texts(locale),
        "ui_texts_json": _ui_texts_json(locale),
        "chosen_language": chosen_locale(request),
        **_in_words_of(locale),
        "my_communities": my_communities,
        "unread_notifications": unread,
        "sections": request.app.state.sections,
        "instance_name": request.app.state.settings.instance_name,
        "map_tiles_url": request.app.state.settings.map_tiles_url,
    }
    base.update(context or {})
    number = _format_number(locale)
    for key in _TRANSLATED_KEYS:
        value = base.get(key)
        if isinstance(value, Worded):
            base[key] = value.words(catalog.gettext, number)
        elif isinstance(value, str) and value:
            base[key] = catalog.gettext(value)
    templates: Jinja2Templates = request.app.state.templates
    token = _CURRENT.set(catalog)
    try:
        response = templates.TemplateResponse(request, template, base, status_code=status_code)
    finally:
        _CURRENT.reset(token)
    if base["flash"] is not None:
        response.delete_cookie(FLASH_COOKIE)
    return response

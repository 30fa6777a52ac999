"""Server-rendered pages: one Jinja2 environment with gettext, locale formatting and flashes."""

from __future__ import annotations

import json
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from commonpot.errors import DomainError, Phrase
from commonpot.http import Ctx, csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
LOCALE_DIR = Path(__file__).parent / "locale"
FLASH_COOKIE = "commonpot_flash"
LANGUAGE_COOKIE = "commonpot_lang"
_CURRENT: ContextVar[Translations | None] = ContextVar("translations", default=None)
_SOURCE = Translations()


def _active() -> Translations:
    return _CURRENT.get() or _SOURCE


@lru_cache(maxsize=16)
def translations_for(locale: str) -> Translations:
    """The compiled catalog for a locale (English, the source language, needs none)."""
    loaded = Translations.load(str(LOCALE_DIR), [locale], domain="messages")
    return loaded if isinstance(loaded, Translations) else Translations()


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
    # months (recipes' seasons: recipes.heritage.MONTHS, shown with `_(m)`)
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
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


def _valid_locale(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def make_templates() -> Jinja2Templates:
    """The Jinja2 environment with the i18n extension and formatting filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: _active().gettext(message),
        lambda singular, plural, n: _active().ngettext(singular, plural, n),
        newstyle=True,
    )
    env.filters["term"] = lambda value: _active().gettext(str(value)) if value else ""
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.globals["jsonld"] = _jsonld_script
    return templates


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


def _to_the_minute(value: datetime, width: str, locale: str) -> str:
    """The locale's date of `width` with its short time, joined as the locale joins them."""
    joiner = str(Locale.parse(locale).datetime_formats[width]).replace("'", "")
    time = format_time(value, "short", locale=locale)
    return joiner.replace("{0}", time).replace("{1}", format_date(value, width, locale=locale))


def _format_dt(locale: str) -> Any:
    def fmt(value: datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        if fmt in _WITH_SECONDS:
            return _to_the_minute(value, fmt, locale)
        return format_datetime(value, format=fmt, locale=locale)

    return fmt


def _format_number(locale: str) -> Any:
    def fmt(value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return ""
        return format_decimal(round(value, digits), locale=locale)

    return fmt


def flash(response: Response, request: Request, message: str, kind: str = "success") -> None:
    """Show a message on the next page the person sees (a `Phrase` in their language now)."""
    if isinstance(message, Phrase):
        message = message.translated(translations_for(reader_locale(request)).gettext)
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


# context values that carry a message in English (a problem detail, a form error)
_TRANSLATED_KEYS = ("error", "form_error", "detail")


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
    my_communities: list[Any] = []
    unread = 0
    if ctx is not None and viewer is not None and viewer.user is not None:
        my_communities = request.app.state.my_communities(ctx.session, viewer)
        unread = request.app.state.unread_notifications(ctx.session, viewer)
    catalog = translations_for(locale)
    taken = _take_flash(request)
    base: dict[str, Any] = {
        "request": request,
        "viewer": viewer,
        "csrf_token": csrf_token(request),
        # flashes and problem details are kept in English (the msgid) and read in the
        # reader's language here; an already translated text passes through unchanged
        "flash": (taken[0], catalog.gettext(taken[1])) if taken else None,
        "locale": locale,
        "lang": locale.split("_")[0],
        "languages": LANGUAGES,
        "ui_texts": {text: catalog.gettext(text) for text in UI_TEXTS},
        "chosen_language": chosen_locale(request),
        "format_datetime": _format_dt(locale),
        "format_number": _format_number(locale),
        "my_communities": my_communities,
        "unread_notifications": unread,
        "sections": request.app.state.sections,
        "instance_name": request.app.state.settings.instance_name,
        "map_tiles_url": request.app.state.settings.map_tiles_url,
    }
    base.update(context or {})
    for key in _TRANSLATED_KEYS:
        value = base.get(key)
        if isinstance(value, Phrase):
            base[key] = value.translated(catalog.gettext)
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

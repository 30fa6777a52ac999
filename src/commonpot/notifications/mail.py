"""E-mail: notices rendered in the reader's language (plain text + HTML), sent over SMTP."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from commonpot.i18n import stored_word
from commonpot.notifications.kinds import KINDS
from commonpot.settings import Settings
from commonpot.templating import Reader, format_datetime_in, translations_for
from commonpot.words import Said

# long unsubscribe addresses must stay readable: no folding into encoded words
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "notifications"


@dataclass(frozen=True)
class Mail:
    """One e-mail ready to send."""

    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str = ""


def translations(locale: str) -> Translations:
    return translations_for((locale or "en").split("_")[0])


# parts of a notice that hold a moment (stored as ISO text or "YYYY-MM-DD HH:MM UTC")
MOMENTS = frozenset({"starts", "since", "when"})
# parts that are amounts (a number, maybe followed by a unit: "1455 min")
AMOUNTS = frozenset({"quantity", "peak"})
_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?)(\s.*)?$")
_DECIMAL = re.compile(r"-?\d+\.\d+")


def _moment(value: str, locale: str) -> str:
    text = value.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime_in(moment, locale)


def _amount(value: Any, reader: Reader) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return reader.number(value, 0 if isinstance(value, int) else 2)
    found = _AMOUNT.match(value) if isinstance(value, str) else None
    if found is None:
        return value
    digits = len(found.group(1).partition(".")[2])
    return reader.number(float(found.group(1)), digits) + (found.group(2) or "")


def _part(kind: str, key: str, value: Any, t: Translations, reader: Reader) -> Any:
    """One part of a notice as its reader reads it: words translated, moments and numbers
    in their locale (older notices stored them as plain English text)."""
    if isinstance(value, dict):
        return Said.from_json(value).words(reader)
    if key in ("role", "outcome", "alert", "level", "unit"):
        return t.gettext(stored_word(str(value)))
    if key in MOMENTS and isinstance(value, str):
        return _moment(value, reader.locale)
    if key in AMOUNTS:
        return _amount(value, reader)
    if key == "where" and kind == "need_matched" and isinstance(value, str):
        # "51.4536, -2.5850 (0.4 km)": the coordinates and distance, as the reader writes them
        return _DECIMAL.sub(
            lambda m: reader.number(float(m.group()), len(m.group().partition(".")[2])), value
        )
    return value


def words(kind: str, params: dict[str, Any], locale: str) -> tuple[str, str]:
    """A notice's subject and body in the reader's language."""
    t = translations(locale)
    spec = KINDS[kind]
    reader = Reader((locale or "en").split("_")[0])
    shown = {k: _part(kind, k, v, t, reader) for k, v in params.items()}
    try:
        return t.gettext(spec.subject) % shown, t.gettext(spec.body) % shown
    except (KeyError, TypeError, ValueError):
        return t.gettext(spec.subject), t.gettext(spec.label)


@lru_cache(maxsize=32)
def _env(locale: str, *, html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        # the plain-text part is never HTML, so only the HTML part is escaped
        autoescape=select_autoescape(enabled_extensions=("html",)) if html else False,  # noqa: S701
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(
    to: str,
    locale: str,
    items: list[tuple[str, str, str]],
    *,
    subject: str,
    unsubscribe_url: str = "",
    preferences_url: str = "",
    instance: str = "commonpot",
) -> Mail:
    """An e-mail listing (subject, body, link) items, as text and HTML."""
    data = {
        "items": items,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
        "instance": instance,
        "lang": (locale or "en").split("_")[0],
        "subject": subject,
    }
    text = _env(locale, html=False).get_template("email.txt").render(data)
    body = _env(locale, html=True).get_template("email.html").render(data)
    return Mail(to=to, subject=subject, text=text, html=body, unsubscribe_url=unsubscribe_url)


def message(mail: Mail, sender: str) -> EmailMessage:
    """The MIME message: plain text with an HTML alternative and a List-Unsubscribe header."""
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain="commonpot")
    if mail.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


def send(settings: Settings, mails: Iterable[Mail]) -> int:
    """Send e-mails over one SMTP connection (COMMONPOT_SMTP_URL); how many were sent."""
    batch = list(mails)
    if not batch or not settings.smtp_url:
        return 0
    url = urlsplit(settings.smtp_url)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError("COMMONPOT_SMTP_URL must start with smtp:// or smtps://")
    host = url.hostname or "localhost"
    port = url.port or (465 if url.scheme == "smtps" else 25)
    client: smtplib.SMTP
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port, timeout=30)
    else:
        client = smtplib.SMTP(host, port, timeout=30)
    with client:
        if url.scheme == "smtp" and port == 587:
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        for mail in batch:
            client.send_message(message(mail, settings.mail_from))
    return len(batch)

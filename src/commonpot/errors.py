"""Domain errors: raised by services and engines, mapped to HTTP, HTML or exit codes."""

from __future__ import annotations

from collections.abc import Callable


class Phrase(str):
    """An English text with values in it that a page can still show in the reader's language:
    `Phrase("Voting lasts at least %(hours)s.", hours="24 h")` is the filled-in English text
    (an error's `detail`, a flash), and keeps its msgid and values for `translated`. Extracted
    for translation like `_()` (the Makefile's keywords)."""

    msgid: str
    values: dict[str, object]

    def __new__(cls, msgid: str, **values: object) -> Phrase:
        made = super().__new__(cls, msgid % values if values else msgid)
        made.msgid = msgid
        made.values = values
        return made

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The text in the language of `gettext`, values filled in (phrases among them too)."""
        text = gettext(self.msgid)
        if not self.values:
            return text
        values = {
            key: value.translated(gettext) if isinstance(value, Phrase) else value
            for key, value in self.values.items()
        }
        return text % values


class DomainError(Exception):
    """Base of every error a person can act on."""

    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class Invalid(DomainError):
    """The input breaks a rule; `field` names the offending part when known."""

    status = 422
    title = "Invalid input"
    type_slug = "invalid"


class NotFound(DomainError):
    """The thing does not exist, or the viewer may not know that it exists."""

    status = 404
    title = "Not found"
    type_slug = "not-found"


class Forbidden(DomainError):
    """The viewer is known but may not do this."""

    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class Unauthenticated(DomainError):
    """The viewer must sign in (or present a token) first."""

    status = 401
    title = "Sign-in required"
    type_slug = "unauthenticated"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, already done, sold out)."""

    status = 409
    title = "Conflict"
    type_slug = "conflict"


class RateLimited(DomainError):
    """Too many attempts; try again later."""

    status = 429
    title = "Too many attempts"
    type_slug = "rate-limited"


class PayloadTooLarge(DomainError):
    """The upload is larger than the instance accepts."""

    status = 413
    title = "Too large"
    type_slug = "too-large"

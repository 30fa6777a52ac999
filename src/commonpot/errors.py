"""Domain errors: raised by services and engines, mapped to HTTP, HTML or exit codes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # only the type: this module stays light for the command line's lean paths
    from pydantic import ValidationError

Part = str | int | float


class Worded(str):
    """An English message filled in with named parts, that a page can word again.

    It reads (and serialises) as the English text; `msgid` and `parts` let the place that
    shows it translate the message and format the numbers for the reader.
    """

    msgid: str
    parts: dict[str, Part]

    def __new__(cls, msgid: str, parts: Mapping[str, Part]) -> Worded:
        english = {k: f"{v:g}" if isinstance(v, float) else v for k, v in parts.items()}
        made = super().__new__(cls, msgid % english if parts else msgid)
        made.msgid = msgid
        made.parts = dict(parts)
        return made

    def __reduce__(self) -> tuple[type[Worded], tuple[str, dict[str, Part]]]:
        # crosses process boundaries (offloaded work, jobs) with its message id and parts
        return (type(self), (self.msgid, self.parts))

    def words(
        self,
        gettext: Callable[[str], str],
        number: Callable[[float | int | None, int], str] | None = None,
    ) -> str:
        """The message in the reader's language, numbers as the reader writes them."""
        shown: dict[str, object] = {}
        for key, value in self.parts.items():
            if isinstance(value, Worded):  # a sentence inside the sentence, worded too
                shown[key] = value.words(gettext, number)
            elif (
                number is not None
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                shown[key] = number(value, 0 if isinstance(value, int) else 2)
            else:
                shown[key] = value
        text = gettext(self.msgid)
        return text % shown if shown else text


class DomainError(Exception):
    """Base of every error a person can act on.

    `detail` is English; named `parts` (`Invalid("No seed of %(crop)s.", crop=name)`) keep
    the message id so that pages show it in the reader's language.
    """

    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"
    # the detail as a `commonpot.words.Said` where one message id cannot hold it (several
    # sentences): what stores the refusal to word it later (a failed job) keeps this
    sentence: object | None = None

    def __init__(self, detail: str, *, field: str | None = None, **parts: Part) -> None:
        if parts:
            detail = Worded(detail, parts)
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


class Wording(Protocol):
    """What words a detail for its reader (`commonpot.i18n.Reader`)."""

    def gettext(self, message: str) -> str:
        """The message in the reader's language."""
        ...

    def number(self, value: float | int | None, digits: int = 2) -> str:
        """A number as the reader writes it."""
        ...


def worded_detail(detail: str, words: Wording | None = None) -> str:
    """A refusal's detail in the reader's words (as it is, in English, without `words`)."""
    if words is None:
        return detail
    if isinstance(detail, Worded):
        return detail.words(words.gettext, words.number)
    return words.gettext(detail)


def error_line(exc: DomainError, words: Wording | None = None) -> str:
    """The one line a command prints for a domain error before exiting with code 2.

    `error:` and the field's name stay as they are (scripts read them); the detail is in
    the command line's language when `words` are given.
    """
    prefix = f"{exc.field}: " if exc.field and not exc.detail.startswith(exc.field) else ""
    return f"error: {prefix}{worded_detail(exc.detail, words)}"


def invalid_from(
    error: ValidationError, *, form_field: bool = False, say: Mapping[str, str] | None = None
) -> Invalid:
    """The first problem of a Pydantic validation as one `Invalid` naming its field.

    `field` is the problem's path ("needs.3.quantity"); with `form_field`, only its first
    part, the form field that holds it ("roles"). The message is a validator's own words
    (a `ValueError`'s, without Pydantic's "Value error, "), or else Pydantic's after the
    field ("quantity: Input should be ..."); `say` words error types our way instead
    (`{"int_parsing": "must be a number"}`).
    """
    first = error.errors()[0]
    loc = first.get("loc", ())
    field = (str(loc[0]) if loc else "") if form_field else ".".join(str(p) for p in loc)
    kind = first.get("type")
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    if say is not None and kind in say:
        message = say[kind]
    elif kind != "value_error" and field:  # a rule of the shape: our words, where
        return Invalid(problem_words(dict(first), field), field=field)
    if kind != "value_error" and field:  # Pydantic's words: say where
        message = f"{field}: {message}"
    return Invalid(message, field=field or None)


def N_(message: str) -> str:  # noqa: N802 (the gettext name for marked strings)
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# what the operating system and Python's JSON decoder say most often, marked so that the
# catalog can word them (`system_words`); any other such text reaches the reader as it is
SYSTEM_WORDS = (
    N_("No such file or directory"),
    N_("Permission denied"),
    N_("Is a directory"),
    N_("Not a directory"),
    N_("No space left on device"),
    N_("File name too long"),
    N_("Read-only file system"),
    N_("File exists"),
    N_("Too many levels of symbolic links"),
    N_("Expecting value"),
    N_("Expecting ',' delimiter"),
    N_("Expecting ':' delimiter"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
    N_("Invalid \\escape"),
    N_("Extra data"),
)


def system_words(text: str) -> Worded:
    """An operating-system or JSON-decoder message as a part of our own sentence, worded
    again for each reader when the catalog knows it (`SYSTEM_WORDS`)."""
    return Worded(text, {})


# Pydantic's error types people meet in forms and API bodies, in our words (message ids
# with the limit as a part), so that each reader reads them in their language
_SHAPE_WORDS: dict[str, str] = {
    "missing": N_("%(where)s: required"),
    "string_too_long": N_("%(where)s: at most %(limit)s characters"),
    "too_short": N_("%(where)s: at least %(limit)s items"),
    "too_long": N_("%(where)s: at most %(limit)s items"),
    "int_parsing": N_("%(where)s: must be a whole number"),
    "int_type": N_("%(where)s: must be a whole number"),
    "int_from_float": N_("%(where)s: must be a whole number"),
    "float_parsing": N_("%(where)s: must be a number"),
    "float_type": N_("%(where)s: must be a number"),
    "finite_number": N_("%(where)s: must be a number"),
    "bool_parsing": N_("%(where)s: must be yes or no"),
    "bool_type": N_("%(where)s: must be yes or no"),
    "greater_than_equal": N_("%(where)s: must be at least %(limit)s"),
    "greater_than": N_("%(where)s: must be more than %(limit)s"),
    "less_than_equal": N_("%(where)s: must be at most %(limit)s"),
    "less_than": N_("%(where)s: must be less than %(limit)s"),
    "date_parsing": N_("%(where)s: must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("%(where)s: must be a date (YYYY-MM-DD)"),
    "datetime_parsing": N_("%(where)s: must be a date and time"),
    "datetime_from_date_parsing": N_("%(where)s: must be a date and time"),
    "string_pattern_mismatch": N_("%(where)s: not in the expected form"),
    "string_type": N_("%(where)s: must be text"),
    "list_type": N_("%(where)s: must be a list"),
    "extra_forbidden": N_("%(where)s: not expected here"),
}
_LIMITS = {
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_length",
    "too_long": "max_length",
    "greater_than_equal": "ge",
    "greater_than": "gt",
    "less_than_equal": "le",
    "less_than": "lt",
}


def problem_words(problem: Mapping[str, object], where: str) -> str:
    """One Pydantic problem (an item of `ValidationError.errors()`) as "where: what", worded
    ours for the common types (a message id with its limit, translatable), else Pydantic's
    own English words."""
    kind = str(problem.get("type", ""))
    context = problem.get("ctx")
    limit = context.get(_LIMITS.get(kind, ""), None) if isinstance(context, dict) else None
    if kind == "string_too_short":
        if limit in (None, 1):
            return Worded("%(where)s: must not be empty", {"where": where})
        return Worded("%(where)s: at least %(limit)s characters", {"where": where, "limit": limit})
    words = _SHAPE_WORDS.get(kind)
    needs_limit = "%(limit)s" in (words or "")
    if words is not None and (not needs_limit or isinstance(limit, int | float)):
        parts: dict[str, Part] = {"where": where}
        if needs_limit and isinstance(limit, int | float):
            parts["limit"] = limit
        return Worded(words, parts)
    message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message

"""Sentences as data: what pure code says, worded later in the reader's language.

Engines and services that explain something (a planner's notes, an assessment's flags)
return `Said` values: an English gettext message id with named parts (and a plural form
counted by `num`). The edge (a page, an API handler) words them with the reader's `Words`
(`commonpot.templating.Reader`): the message translated, every number in the reader's
locale (decimal comma in Spanish). `said` and `said_n` are extraction keywords (Makefile).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from commonpot.errors import Worded

Value = str | int | float


class Words(Protocol):
    """The reader's words (`commonpot.templating.Reader` at the edge; `ENGLISH` elsewhere)."""

    def gettext(self, message: str) -> str:
        """The message in the reader's language."""
        ...

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural message for `n`."""
        ...

    def number(self, value: float | int | None, digits: int = 2) -> str:
        """A number as the reader writes it."""
        ...

    def person(self, user_id: int) -> str:
        """A person by the name the reader may see (else "member #id")."""
        ...


class English:
    """Words in English, the source language (the command line, logs, stored summaries)."""

    def gettext(self, message: str) -> str:
        """The message as written."""
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular for one, else the plural."""
        return singular if n == 1 else plural

    def number(self, value: float | int | None, digits: int = 2) -> str:
        """The number rounded to `digits` (no trailing zeros), with a decimal point."""
        if value is None:
            return ""
        text = f"{round(float(value), digits):,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    def person(self, user_id: int) -> str:
        """A person by their member number."""
        return self.gettext("member #%(id)s") % {"id": user_id}


ENGLISH = English()


@dataclass(frozen=True)
class Said:
    """A sentence as data: message id, named parts, optional plural (counted by `num`).

    Floats are shown with `digits` decimals; ints as whole numbers; text as it is; a part
    that is itself a `Said` (a refusal inside "Execution failed: …") in the reader's words.
    """

    text: str
    values: dict[str, Value | Said] = field(default_factory=dict)
    plural: str | None = None
    digits: int = 2

    def words(self, words: Words = ENGLISH) -> str:
        """The sentence in the reader's words."""
        if self.plural is not None:
            count = self.values.get("num", 0)
            num = 0 if isinstance(count, Said) else int(count)
            template = words.ngettext(self.text, self.plural, num)
        else:
            template = words.gettext(self.text)
        shown: dict[str, str] = {}
        for key, value in self.values.items():
            if isinstance(value, Said):
                shown[key] = value.words(words)
            elif isinstance(value, bool | str):
                shown[key] = str(value)
            elif isinstance(value, int):
                shown[key] = words.number(value, 0)
            else:
                shown[key] = words.number(value, self.digits)
        return template % shown if shown else template

    def __str__(self) -> str:
        return self.words(ENGLISH)

    def to_json(self) -> dict[str, Any]:
        """The sentence as stored JSON."""
        values = {k: v.to_json() if isinstance(v, Said) else v for k, v in self.values.items()}
        out: dict[str, Any] = {"text": self.text, "values": values}
        if self.plural is not None:
            out["plural"] = self.plural
        if self.digits != 2:
            out["digits"] = self.digits
        return out

    @classmethod
    def from_json(cls, data: Any) -> Said:
        """A stored sentence (a plain string, as older rows hold, is kept as it is)."""
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            values = data.get("values")
            parts: dict[str, Value | Said] = {
                str(k): cls.from_json(v) if isinstance(v, dict) else v
                for k, v in (values.items() if isinstance(values, dict) else ())
            }
            return cls(
                data["text"],
                parts,
                data.get("plural") if isinstance(data.get("plural"), str) else None,
                int(data.get("digits", 2)),
            )
        return cls(str(data))


def said(text: str, *, digits: int = 2, **values: Value | Said) -> Said:
    """A sentence with named parts (`text` is the English message id)."""
    return Said(text, values, None, digits)


def said_n(
    singular: str, plural: str, num: int, *, digits: int = 2, **values: Value | Said
) -> Said:
    """A sentence whose form depends on `num` (also a part, `%(num)s`)."""
    return Said(singular, {"num": num, **values}, plural, digits)


def message(text: str) -> Said:
    """A message as a sentence: an `errors.Worded` keeps its message id and parts.

    Any other text is its own message id: a known English message reads translated, and
    anything else (an unexpected error's text) reads as it is.
    """
    if isinstance(text, Worded):
        return Said(text.msgid, dict(text.parts))
    return Said(str(text))


def worded(items: list[Any], words: Words = ENGLISH) -> list[str]:
    """Stored sentences (Said JSON or old plain strings) in the reader's words."""
    return [Said.from_json(item).words(words) for item in items]

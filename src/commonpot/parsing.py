"""Reading untrusted files and numbers: text, JSON, CSV and numbers, with limits and clear errors.

Every domain reads what people upload or pass on the command line through these helpers, so
that a byte-order mark, a 100 000-deep JSON document, a 5 000-digit integer, a superscript
digit, an over-long CSV field, `NaN` or a 200 MB file gives one `Invalid` (or
`PayloadTooLarge`) naming the field and line, never a traceback. Pure: no database, no web.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from commonpot.errors import N_, Invalid, PayloadTooLarge, Worded, invalid_from, system_words

if TYPE_CHECKING:  # pydantic is imported only by `validated`: the readers start light
    from pydantic import BaseModel

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_INT_DIGITS = 30
MAX_NUMBER_CHARS = 64
MAX_CSV_FIELD = 64 * 1024
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# csv's own hard limit (its default is 128 KiB); longer fields than MAX_CSV_FIELD are refused
# by csv_rows itself with a line number, the module limit only bounds the worst case
_CSV_HARD_LIMIT = 1024 * 1024

_ASCII_INT = re.compile(r"[+-]?[0-9]+")
_ASCII_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# a string (possessive, so an unterminated one ends the scan in linear time) or a bracket
_NON_FINITE = frozenset({"nan", "inf", "infinity"})
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\Z)|[\[\]{}]', re.DOTALL)


def _where(field: str | None) -> str:
    return f"{field}: " if field else ""


def _fail(detail: str, field: str | None, **parts: str | int | float) -> Invalid:
    # a message id with parts (`%(where)s` first): worded where it is shown, field name kept
    return Invalid(detail, field=field, where=_where(field), **parts)


def _reason(exc: Exception) -> str:
    """An exception's message for a `%(reason)s` part: worded again when it is `Worded`."""
    said = exc.args[0] if len(exc.args) == 1 else None
    return said if isinstance(said, Worded) else str(exc)


M = TypeVar("M", bound="BaseModel")


def validated(model: type[M], data: dict[str, Any]) -> M:
    """`model` from a posted form or CLI options; the first problem as one `Invalid` (422).

    The same Pydantic `*In` model checks JSON bodies, HTML forms and command lines, so that
    a rule is written once. `field` names the form field that is wrong.
    """
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from None


def line_of(data: bytes | str, offset: int) -> int:
    """The 1-based line number of a byte or character offset."""
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1


def check_size(size: int, *, field: str | None = None, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse input larger than `limit` bytes."""
    if size > limit:
        raise PayloadTooLarge(
            "%(where)sthe input is %(size)s bytes; the limit is %(limit)s bytes",
            field=field,
            where=_where(field),
            size=size,
            limit=limit,
        )


def decode_text(data: bytes, *, field: str | None = None, limit: int = MAX_FILE_BYTES) -> str:
    """UTF-8 text with a leading byte-order mark removed; bad bytes are named by line."""
    check_size(len(data), field=field, limit=limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(
            N_("%(where)sline %(line)s: not UTF-8 text (byte %(byte)s)"),
            field,
            line=str(line_of(data, exc.start)),
            byte=str(exc.start + 1),
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise _fail(
            N_("%(where)sline %(line)s: a NUL byte; this is not a text file"),
            field,
            line=str(line_of(text, nul)),
        )
    return text.removeprefix("\ufeff")


def read_bytes(path: Path | str, *, field: str | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, refusing files over `limit` before reading them."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            check_size(os.fstat(handle.fileno()).st_size, field=field, limit=limit)
            data = handle.read(limit + 1)  # a pipe or device has no size to check first
    except FileNotFoundError:
        raise _fail(
            N_("%(where)scannot read %(path)s: no such file"), field, path=str(path)
        ) from None
    except IsADirectoryError:
        raise _fail(
            N_("%(where)scannot read %(path)s: it is a folder"), field, path=str(path)
        ) from None
    except OSError as exc:
        raise _fail(
            N_("%(where)scannot read %(path)s: %(reason)s"),
            field,
            path=str(path),
            reason=system_words(str(exc.strerror or exc)),
        ) from None
    check_size(len(data), field=field, limit=limit)
    return data


def read_text(path: Path | str, *, field: str | None = None, limit: int = MAX_FILE_BYTES) -> str:
    """A UTF-8 text file (BOM removed), refusing files over `limit`."""
    return decode_text(read_bytes(path, field=field, limit=limit), field=field, limit=limit)


def check_json_depth(
    data: bytes | str, *, field: str | None = None, max_depth: int = MAX_JSON_DEPTH
) -> None:
    """Refuse JSON nested deeper than `max_depth`, without recursion (strings are skipped)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return
    depth = 0
    for match in _JSON_TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise _fail(
                    N_("%(where)sline %(line)s: nested deeper than %(depth)s levels"),
                    field,
                    line=str(line_of(raw, match.start())),
                    depth=max_depth,
                )
        elif token in (b"]", b"}"):
            depth -= 1


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise ValueError(
            Worded(
                N_("an integer of %(digits)s digits; at most %(most)s are accepted"),
                {"digits": digits, "most": MAX_INT_DIGITS},
            )
        )
    return int(text)


def _json_int64(text: str) -> int:
    value = _json_int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(Worded(N_("the integer %(text)s does not fit in 64 bits"), {"text": text}))
    return value


def _json_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(
            Worded(
                N_("a number of %(length)s characters; at most %(most)s"),
                {"length": len(text), "most": MAX_NUMBER_CHARS},
            )
        )
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(Worded(N_("%(text)s is out of range"), {"text": text}))
    return value


def _json_constant(name: str) -> Any:
    raise ValueError(Worded(N_("%(name)s is not a JSON number"), {"name": name}))


def loads_json(
    data: bytes | str,
    *,
    field: str | None = None,
    limit: int = MAX_FILE_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
    strict: bool = True,
    int64: bool = False,
) -> Any:
    """Parse JSON with limits: size, nesting depth, integer length, finite numbers only.

    With `int64`, integers must also fit a 64-bit database column.
    """
    text = data if isinstance(data, str) else decode_text(data, field=field, limit=limit)
    check_size(len(text), field=field, limit=limit)
    text = text.removeprefix("\ufeff")
    check_json_depth(text, field=field, max_depth=max_depth)
    try:
        return json.loads(
            text,
            strict=strict,
            parse_int=_json_int64 if int64 else _json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as exc:
        raise _fail(
            N_("%(where)snot valid JSON (line %(line)s, column %(column)s: %(reason)s)"),
            field,
            line=str(exc.lineno),
            column=str(exc.colno),
            reason=system_words(exc.msg),
        ) from None
    except RecursionError:  # pragma: no cover - the depth check runs first
        raise _fail(
            N_("%(where)snested deeper than %(depth)s levels"), field, depth=max_depth
        ) from None
    except ValueError as exc:
        raise _fail(N_("%(where)snot valid JSON: %(reason)s"), field, reason=_reason(exc)) from None


def _within_limits(value: Any, max_depth: int) -> bool:
    """Whether a decoded value keeps `loads_json`'s limits: nesting, integer digits, finite
    floats (the same verdicts as its token scan and number hooks, taken on the value)."""
    big = 10**MAX_INT_DIGITS
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        kind = type(node)
        if kind is not dict and kind is not list:
            if kind is float:
                return bool(node - node == 0.0)
            return not (kind is int and not -big < node < big)
        if depth > max_depth:
            return False
        for item in node.values() if kind is dict else node:
            kind = type(item)
            if kind is float:
                if item - item != 0.0:  # inf or nan
                    return False
            elif kind is int:
                if not -big < item < big:
                    return False
            elif kind is dict or kind is list:
                stack.append((item, depth + 1))
    return True


def loads_json_bulk(
    data: bytes | str,
    *,
    field: str | None = None,
    limit: int = MAX_FILE_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """`loads_json` for large documents (allocation instances): same limits, less time.

    The C decoder reads the document without per-number callbacks; nesting depth, integer
    digits and finiteness are then checked on the decoded value, and a document that breaks
    one of them (or does not decode) is read again by `loads_json`, for its exact message.
    One difference: a finite float written with more than MAX_NUMBER_CHARS characters is
    accepted (floats parse in linear time; the digit limit exists for integers)."""
    text = data if isinstance(data, str) else decode_text(data, field=field, limit=limit)
    check_size(len(text), field=field, limit=limit)
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, parse_constant=_json_constant)
    except (ValueError, RecursionError):
        value = _UNREAD
    if value is _UNREAD or not _within_limits(value, max_depth):
        return loads_json(text, field=field, limit=limit, max_depth=max_depth)
    return value


_UNREAD = object()


def dumps_json(value: Any, **kwargs: Any) -> str:
    """JSON text for output; NaN and Infinity are refused rather than printed."""
    try:
        return json.dumps(value, allow_nan=False, **kwargs)
    except ValueError as exc:
        raise Invalid(
            "the result holds a number that is not finite (%(reason)s)", reason=str(exc)
        ) from None


def csv_rows(
    text: str, *, field: str | None = None, max_field: int = MAX_CSV_FIELD
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) of CSV text (BOM removed); bad rows are named by line."""
    if csv.field_size_limit() < _CSV_HARD_LIMIT:
        csv.field_size_limit(_CSV_HARD_LIMIT)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise _fail(
                    N_("%(where)sline %(line)s: a field is longer than %(most)s characters"),
                    field,
                    line=str(line),
                    most=max_field,
                ) from None
            raise _fail(
                N_("%(where)sline %(line)s: not readable CSV (%(reason)s)"),
                field,
                line=str(reader.line_num),
                reason=str(exc),
            ) from None
        if any(len(cell) > max_field for cell in row):
            raise _fail(
                N_("%(where)sline %(line)s: a field is longer than %(most)s characters"),
                field,
                line=str(line),
                most=max_field,
            )
        yield line, row
        line = reader.line_num + 1


def is_digits(text: str, *, max_digits: int = 18) -> bool:
    """True when `text` is 1..max_digits ASCII digits (`str.isdigit` also accepts '²').

    The default length keeps `int(text)` inside a 64-bit database column.
    """
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def parse_int(
    text: str,
    *,
    field: str | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """An integer written in ASCII digits (optional sign), of bounded length and value."""
    value_text = text.strip()
    if len(value_text) > MAX_INT_DIGITS + 1:
        raise _fail(
            N_("%(where)sa number of %(length)s characters is too long"),
            field,
            length=len(value_text),
        )
    if not _ASCII_INT.fullmatch(value_text):
        raise _fail(N_("%(where)snot a whole number (%(text)s)"), field, text=repr(value_text[:40]))
    return _bounded(int(value_text), field, minimum, maximum)


def parse_float(
    text: str,
    *,
    field: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """A finite decimal number written in ASCII (e.g. 2, -0.5, 1e3), within bounds."""
    value_text = text.strip()
    if len(value_text) > MAX_NUMBER_CHARS:
        raise _fail(
            N_("%(where)sa number of %(length)s characters is too long"),
            field,
            length=len(value_text),
        )
    if value_text.lower().lstrip("+-") in _NON_FINITE:
        raise _fail(N_("%(where)snot a finite number (%(text)s)"), field, text=repr(value_text))
    if not _ASCII_FLOAT.fullmatch(value_text):
        raise _fail(N_("%(where)snot a number (%(text)s)"), field, text=repr(value_text[:40]))
    value = float(value_text)
    if not math.isfinite(value):
        raise _fail(N_("%(where)snot a finite number (%(text)s)"), field, text=repr(value_text))
    return _bounded(value, field, minimum, maximum)


def finite(
    value: object,
    *,
    field: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """A decoded JSON value as a finite float within bounds (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(N_("%(where)smust be a number"), field)
    if isinstance(value, int) and abs(value) > 10**MAX_INT_DIGITS:
        raise _fail(N_("%(where)sis too large"), field)
    number = float(value)
    if not math.isfinite(number):
        raise _fail(N_("%(where)smust be a finite number"), field)
    return _bounded(number, field, minimum, maximum)


def integer(
    value: object,
    *,
    field: str | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """A decoded JSON value as an integer within bounds (2.0 is accepted, 2.5 and True are not)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(N_("%(where)smust be a whole number"), field)
    return _bounded(value, field, minimum, maximum)


_N = TypeVar("_N", int, float)


def _bounded(value: _N, field: str | None, low: float | None, high: float | None) -> _N:
    if low is not None and value < low:
        raise _fail(N_("%(where)smust be at least %(low)s"), field, low=_plain(low))
    if high is not None and value > high:
        raise _fail(N_("%(where)smust be at most %(high)s"), field, high=_plain(high))
    return value


def _plain(bound: float) -> int | float:
    """A bound as a message shows it: 180 rather than 180.0."""
    if isinstance(bound, float) and bound.is_integer() and abs(bound) < 1e15:
        return int(bound)
    return bound

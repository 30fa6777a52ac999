"""Canonical JSON (RFC 8785 JCS) for ledger entries: sorted keys, no whitespace, UTF-8."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

import rfc8785

from commonpot.errors import Invalid


def canonical_json(value: Any) -> bytes:
    """RFC 8785 serialisation of a JSON-compatible value (UTF-8 bytes)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise Invalid(f"cannot canonicalise ledger entry: {exc}", field="entry") from None


def canonical_text(value: Any) -> str:
    """RFC 8785 serialisation as a str."""
    return canonical_json(value).decode("utf-8")


# For JSON without floats, without integers of 16 or more digits and without characters
# beyond the Basic Multilingual Plane, RFC 8785 is exactly Python's compact, key-sorted,
# non-ASCII-preserving serialisation: numbers are plain integers, JCS escapes the same
# characters json does (the two-letter escapes and lowercase \u00xx for other controls),
# and sorting keys by UTF-16 code units equals sorting by code points inside the BMP.
# The C encoder and decoder are built once: building them per call costs more than using them.
_plain_encode = c_make_encoder(None, None, encode_basestring, None, ":", ",", True, False, False)
_LONG_DIGITS = re.compile("[0-9]{16}", re.ASCII)
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


class _FloatSeen(Exception):
    pass


def _no_floats(text: str) -> float:
    raise _FloatSeen


_plain_decode = json.JSONDecoder(parse_float=_no_floats).decode


def _as_double_when_long(text: str) -> int | float:
    # JSON numbers are IEEE doubles to RFC 8785; integers of 16+ digits may not be exact ints
    return float(text) if len(text.lstrip("-")) > 15 else int(text)


def parse_canonical(data: str) -> Any:
    """The value of `data` if it is JSON in RFC 8785 canonical form; ValueError otherwise.

    The common case (no floats, no long integers, BMP text) is checked exactly with the C
    JSON codec; anything else goes through the full RFC 8785 implementation.
    """
    if _LONG_DIGITS.search(data) is None and (data.isascii() or not _BEYOND_BMP.search(data)):
        try:
            value = _plain_decode(data)
        except _FloatSeen:
            pass
        else:
            if "".join(_plain_encode(value, 0)) != data:
                raise ValueError("not canonical JSON")
            return value
    value = json.loads(data, parse_int=_as_double_when_long)
    try:
        canonical = canonical_text(value)
    except Invalid as exc:
        raise ValueError(str(exc)) from None
    if canonical != data:
        raise ValueError("not canonical JSON")
    return value


def parse_all_canonical(texts: Sequence[str]) -> list[Any] | None:
    """The values of many entries at once, if every one is canonical JSON on the fast path.

    One C decode of all of them (as one JSON array), then each value re-encoded and compared
    with its own text: an entry equal to the canonical encoding of a value *is* canonical
    JSON, however the bulk decode split the array, so this never accepts what
    `parse_canonical` would refuse. None when any text is not (or is off the fast path:
    floats, long integers, text beyond the BMP): then check them one by one.
    """
    joined = "[" + ",".join(texts) + "]"
    if _LONG_DIGITS.search(joined) is not None or (
        not joined.isascii() and _BEYOND_BMP.search(joined) is not None
    ):
        return None
    try:
        values = _plain_decode(joined)
    except (_FloatSeen, ValueError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != len(texts):
        return None
    encode = _plain_encode
    try:  # NaN and Infinity decode (as constants) but do not encode: not canonical
        for value, text in zip(values, texts, strict=True):
            if "".join(encode(value, 0)) != text:
                return None
    except ValueError:
        return None
    return values


def is_canonical(data: str) -> bool:
    """True if the text is valid JSON already in RFC 8785 canonical form."""
    try:
        parse_canonical(data)
    except ValueError:
        return False
    return True

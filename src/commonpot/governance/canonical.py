"""Canonical JSON (RFC 8785 JCS) for ledger entries: sorted keys, no whitespace, UTF-8."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from operator import itemgetter, methodcaller
from typing import Any

from commonpot.errors import Invalid


def canonical_json(value: Any) -> bytes:
    """RFC 8785 serialisation of a JSON-compatible value (UTF-8 bytes)."""
    import rfc8785  # the fast paths below need it only off the common case

    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise Invalid(
            "cannot canonicalise ledger entry: %(problem)s", field="entry", problem=str(exc)
        ) from None


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
_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")
_SIXTEEN_ZEROS = "0" * 16
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


class _FloatSeen(Exception):
    pass


def _no_floats(text: str) -> float:
    raise _FloatSeen


_plain_decode = json.JSONDecoder(parse_float=_no_floats).decode
# the same, refusing NaN and Infinity too (the flat check below never re-encodes)
_strict_decode = json.JSONDecoder(parse_float=_no_floats, parse_constant=_no_floats).decode
_first, _last = itemgetter(0), itemgetter(-1)
_count_quotes = methodcaller("count", '"')


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

    One C decode of all of them (as one JSON array), then either the flat-object proof of
    `_flat_and_canonical` or each value re-encoded and compared with its own text: an entry
    equal to the canonical encoding of a value *is* canonical JSON, however the bulk decode
    split the array, so this never accepts what `parse_canonical` would refuse. None when any
    text is not (or is off the fast path: floats, long integers, text beyond the BMP): then
    check them one by one.
    """
    joined = "[" + ",".join(texts) + "]"
    # 16 digits in a row (a regex search costs 5x this over a long ledger)
    if _SIXTEEN_ZEROS in joined.translate(_DIGITS_AS_ZERO) or (
        not joined.isascii() and _BEYOND_BMP.search(joined) is not None
    ):
        return None
    try:
        values = _strict_decode(joined)
    except (_FloatSeen, ValueError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != len(texts):
        return None
    if _flat_and_canonical(joined, texts, values) or _each_canonical(texts, values):
        return values
    return None


def _each_canonical(texts: Sequence[str], values: list[Any]) -> bool:
    """True when each text is the canonical encoding of its value."""
    encode = _plain_encode
    try:
        return all(
            "".join(encode(value, 0)) == text for value, text in zip(values, texts, strict=True)
        )
    except ValueError:  # NaN and Infinity do not encode
        return False


def _flat_and_canonical(joined: str, texts: Sequence[str], values: list[Any]) -> bool:
    """True when every text is a flat object in canonical form, shown a column at a time.

    `joined` is the texts as one JSON array that decoded (without floats, NaN or Infinity,
    long integers or text beyond the BMP) into `values`. Re-encoding every value costs as
    much as decoding it; for the common entry, a flat object of strings, integers and
    literals, the same conclusion follows from a few scans of the whole text in C:
    - no backslash: every `"` delimits a string, strings are written raw (canonical: JSON's
      strict decoding refused raw control characters), and each text holding an even number
      of quotes means no string runs from one text into the next;
    - exactly one `{` and `}` per text, as its first and last character, and no brackets but
      the array's own: each text is exactly one object holding no other container, so the
      array's values line up with the texts;
    - no whitespace at all (spaces inside strings, too, send the texts the slow way), and no
      `-0` (the only integer JSON allows in a non-canonical form);
    - as many `":` (a key's end: no string can hold a quote) as the values have keys: no key
      twice; and every distinct key order sorted.
    Anything else returns False, and each value is re-encoded and compared instead.
    """
    n = len(texts)
    if (
        joined.count("{") != n
        or joined.count("}") != n
        or joined.count("[") != 1
        or joined.count("]") != 1
        or "\\" in joined
        or " " in joined
        or "\t" in joined
        or "\n" in joined
        or "\r" in joined
        or '":-0' in joined
    ):
        return False
    if set(map(type, values)) != {dict}:
        return False
    if "".join(map(_first, texts)) != "{" * n or "".join(map(_last, texts)) != "}" * n:
        return False
    if any(map((1).__and__, map(_count_quotes, texts))):
        return False
    if joined.count('":') != sum(map(len, values)):
        return False
    return all(list(keys) == sorted(keys) for keys in set(map(tuple, values)))


def is_canonical(data: str) -> bool:
    """True if the text is valid JSON already in RFC 8785 canonical form."""
    try:
        parse_canonical(data)
    except ValueError:
        return False
    return True

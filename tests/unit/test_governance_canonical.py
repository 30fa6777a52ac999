"""The fast canonical-JSON check agrees exactly with RFC 8785 (the rfc8785 library)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.governance.canonical import canonical_text, is_canonical, parse_canonical

text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(["é", "\u2028", "\x7f", "\x00", "\ue000", "😀", "\U00010000", 'a"b\\c\n'])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | text
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


def _double_when_long(text: str) -> int | float:
    return float(text) if len(text.lstrip("-")) > 15 else int(text)


def reference(data: str) -> bool:
    """RFC 8785's judgement: numbers are doubles, serialised by the rfc8785 library."""
    try:
        value = json.loads(data, parse_int=_double_when_long)
        return rfc8785.dumps(value).decode("utf-8") == data
    except (ValueError, rfc8785.CanonicalizationError):
        return False


@settings(max_examples=400, deadline=None)
@given(values)
def test_canonical_texts_are_accepted_with_their_value(value: Any) -> None:
    data = canonical_text(value)
    assert is_canonical(data)
    assert parse_canonical(data) == json.loads(data, parse_int=_double_when_long)


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from(["sorted-ascii", "unsorted", "spaced", "python"]))
def test_other_serialisations_are_judged_as_rfc8785_judges_them(value: Any, style: str) -> None:
    if style == "sorted-ascii":
        data = json.dumps(value, sort_keys=True, separators=(",", ":"))
    elif style == "unsorted":
        data = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    elif style == "spaced":
        data = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert is_canonical(data) == reference(data)


@pytest.mark.parametrize(
    "data",
    [
        '{"a":1,"b":2}',
        '{"b":1,"a":2}',  # keys out of order
        '{"a":1.0}',  # JCS writes 1
        '{"a":1e2}',
        '{"a":12345678901234567890}',  # beyond 2^53
        '{"\\ue000":1,"😀":2}',  # UTF-16 order differs from code point order
        '{"😀":2,"\ue000":1}',
        '{"a":"\\u00e9"}',  # escaped non-ASCII is not canonical
        '{"a":-0}',
        '{"a":1,"a":2}',  # duplicate key
        "[1, 2]",
        "not json",
    ],
)
def test_edge_cases_match_the_reference(data: str) -> None:
    assert is_canonical(data) == reference(data)

"""The fast canonical-JSON check agrees exactly with RFC 8785 (the rfc8785 library)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.governance.canonical import (
    canonical_text,
    is_canonical,
    parse_all_canonical,
    parse_canonical,
)

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


serialisations = st.sampled_from(["canonical", "sorted-ascii", "unsorted", "spaced", "python"])


def _serialise(value: Any, style: str) -> str:
    if style == "canonical":
        return canonical_text(value)
    if style == "sorted-ascii":
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if style == "unsorted":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if style == "spaced":
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(values, serialisations), min_size=1, max_size=6))
def test_checking_many_at_once_never_accepts_what_one_by_one_refuses(
    pairs: list[tuple[Any, str]],
) -> None:
    texts = [_serialise(value, style) for value, style in pairs]
    found = parse_all_canonical(texts)
    if found is not None:
        assert all(reference(text) for text in texts)
        assert found == [parse_canonical(text) for text in texts]
    else:  # refused: either some text is not canonical or some leaf is off the fast path
        leaves = _leaves([value for value, _ in pairs])
        off_fast_path = any(
            isinstance(leaf, float)
            or (isinstance(leaf, int) and len(str(abs(leaf))) > 15)
            or (isinstance(leaf, str) and any(ord(c) > 0xFFFF for c in leaf))
            for leaf in leaves
        ) or any(re.search("[0-9]{16}|[\U00010000-\U0010ffff]", text) for text in texts)
        assert off_fast_path or not all(reference(text) for text in texts)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.parametrize(
    "texts",
    [
        ["[1", "2]", "3,4"],  # entries that are not JSON, split so the array still parses
        ['{"a":1}', "1,2"],
        ['{"a":1}', ""],
        ['{"a":NaN}'],
        ['{"a":1.5}'],  # floats leave the fast path (one by one then)
        ['{"a":1} '],
    ],
)
def test_many_at_once_refuses_texts_that_are_not_each_canonical(texts: list[str]) -> None:
    assert parse_all_canonical(texts) is None


def test_many_canonical_entries_are_parsed_at_once() -> None:
    texts = [canonical_text({"seq": i, "type": "vote.cast", "who": "é\u2028"}) for i in range(50)]
    assert parse_all_canonical(texts) == [json.loads(text) for text in texts]


# flat objects (what most ledger entries are) take a proof without re-encoding: try to fool it
flat_text = st.text(alphabet=st.sampled_from(list('ab:,{}[]"\\ -0é')), max_size=6)
flat_scalar = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | flat_text
flat_entries = st.dictionaries(flat_text, flat_scalar, max_size=5)


def _flat_serialise(value: dict[str, Any], style: str) -> str:
    if style == "duplicate" and value:
        key = next(iter(sorted(value)))
        body = canonical_text(value)
        return body[:-1] + "," + json.dumps(key, ensure_ascii=False) + ":0}"
    if style == "negative-zero":
        return canonical_text({**value, "z": 0}).replace('"z":0', '"z":-0')
    return _serialise(value, style)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            flat_entries,
            st.sampled_from(
                ["canonical", "canonical", "unsorted", "spaced", "duplicate", "negative-zero"]
            ),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 5),
)
def test_the_flat_proof_never_accepts_what_one_by_one_refuses(
    pairs: list[tuple[dict[str, Any], str]], cut: int
) -> None:
    texts = [_flat_serialise(value, style) for value, style in pairs]
    # also re-split the same characters at other places (entries that are not whole objects)
    parts = ",".join(texts).split(",")
    if cut and 0 < cut < len(parts):
        texts = [",".join(parts[:cut]), ",".join(parts[cut:])]
    found = parse_all_canonical(texts)
    if found is not None:
        assert all(reference(text) for text in texts)
        assert found == [parse_canonical(text) for text in texts]


@pytest.mark.parametrize(
    "texts",
    [
        ['{"a":1,"a":1}'],  # a key twice: the decoded value has one key fewer
        ['{"b":1,"a":2}'],
        ['{"a":-0}'],
        ['{"a":"\\/"}'],
        ['{"a":"x","b":', '"y"}'],  # a string across two entries
        ['{"a":"}', '{"b":1}'],
        ['{"a":1},{"b":2', '"c":3}'],
        ['{"a":Infinity}'],
        ['{"a" :1}'],
    ],
)
def test_the_flat_proof_refuses_near_misses(texts: list[str]) -> None:
    assert parse_all_canonical(texts) is None


def test_flat_canonical_entries_take_the_proof_without_re_encoding() -> None:
    from commonpot.governance import canonical

    texts = [
        canonical_text({"at": "2026-01-01T00:00:00Z", "community": "c", "seq": i, "n": -i})
        for i in range(100)
    ]
    joined = "[" + ",".join(texts) + "]"
    values = json.loads(joined)
    assert canonical._flat_and_canonical(joined, texts, values)
    assert parse_all_canonical(texts) == values

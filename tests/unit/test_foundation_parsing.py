"""The shared parsing layer: text, JSON, CSV and numbers with limits and clear errors."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot import parsing
from commonpot.errors import Invalid, PayloadTooLarge


def test_decode_text_strips_bom_and_names_the_bad_line() -> None:
    assert parsing.decode_text(b"\xef\xbb\xbfA\nB\n") == "A\nB\n"
    with pytest.raises(Invalid, match=r"^ballots: line 3: not UTF-8 text") as info:
        parsing.decode_text(b"A\nB\nC\xe2\x82", field="ballots")
    assert info.value.field == "ballots"


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: costs no disk or memory
        handle.truncate(60 * 1024 * 1024)
    with pytest.raises(PayloadTooLarge, match="62914560 bytes; the limit is 52428800"):
        parsing.read_text(big, field="file")
    with pytest.raises(Invalid, match="no such file"):
        parsing.read_text(tmp_path / "missing.csv")


def test_deep_json_is_refused_without_recursion() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(Invalid, match="nested deeper than 64 levels"):
        parsing.loads_json(deep, field="instance")
    # brackets inside strings do not count
    assert parsing.loads_json('{"a": "[[[[[[' + "[" * 100 + '"}') == {"a": "[" * 106}
    nested: object = 1
    for _ in range(64):
        nested = [nested]
    assert parsing.loads_json(json.dumps(nested)) == nested


def test_unterminated_string_with_escapes_is_linear() -> None:
    text = '["' + '\\"' * 500_000
    with pytest.raises(Invalid, match="not valid JSON"):
        parsing.loads_json(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[NaN]", "NaN is not a JSON number"),
        ('{"x": Infinity}', "Infinity is not a JSON number"),
        ("[-Infinity]", "-Infinity is not a JSON number"),
        ("[1e309]", "1e309 is out of range"),
        ("[" + "9" * 5000 + "]", "an integer of 5000 digits"),
        ("{", r"not valid JSON \(line 1, column 2"),
        ("\ufeff[1", "not valid JSON"),
    ],
)
def test_json_numbers_must_be_finite_and_bounded(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parsing.loads_json(text, field="instance")


def test_json_int64_and_bom() -> None:
    assert parsing.loads_json(b'\xef\xbb\xbf{"a": 1e308}') == {"a": 1e308}
    assert parsing.loads_json(str(2**63 - 1), int64=True) == 2**63 - 1
    with pytest.raises(Invalid, match="does not fit in 64 bits"):
        parsing.loads_json(str(2**63), int64=True)


def test_dumps_json_refuses_nan() -> None:
    assert parsing.dumps_json({"a": 1.5}) == '{"a": 1.5}'
    with pytest.raises(Invalid, match="not finite"):
        parsing.dumps_json({"a": math.inf})


def test_csv_rows_bom_line_numbers_and_long_fields() -> None:
    rows = list(parsing.csv_rows('\ufeffA,B\n"multi\nline",x\nC,D\n'))
    assert rows == [(1, ["A", "B"]), (2, ["multi\nline", "x"]), (4, ["C", "D"])]
    with pytest.raises(Invalid, match=r"^ballots: line 2: a field is longer than 65536"):
        list(parsing.csv_rows("A\n" + "x" * 200_000 + "\n", field="ballots"))
    with pytest.raises(Invalid, match="line 2: a field is longer than"):
        list(parsing.csv_rows("A\n" + "x" * 2_000_000 + "\n"))


@pytest.mark.parametrize("text", ["²", "1²", "³", "٣", "1_000", "0x10", " ", "", "1.5"])
def test_parse_int_takes_ascii_digits_only(text: str) -> None:
    with pytest.raises(Invalid, match="count"):
        parsing.parse_int(text, field="count")
    assert not parsing.is_digits(text)


def test_parse_int_bounds_and_length() -> None:
    assert parsing.parse_int(" -12 ") == -12
    with pytest.raises(Invalid, match="too long"):
        parsing.parse_int("9" * 5000, field="count")
    with pytest.raises(Invalid, match="at least 1"):
        parsing.parse_int("0", minimum=1)
    assert not parsing.is_digits("9" * 19)
    assert parsing.is_digits("9" * 18)


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1e309", "²", "1,5", "0x1p3"])
def test_parse_float_refuses_non_finite_and_non_ascii(text: str) -> None:
    with pytest.raises(Invalid, match="not a"):
        parsing.parse_float(text, field="area")


def test_finite_and_integer_on_decoded_values() -> None:
    assert parsing.finite(3, maximum=10) == 3.0
    for bad in (True, "1", None, [1], math.nan, math.inf, 10**400):
        with pytest.raises(Invalid):
            parsing.finite(bad, field="x")
    assert parsing.integer(12.0, minimum=1, maximum=12) == 12
    for bad in (1e309, 2.5, True, "3", 13):
        with pytest.raises(Invalid):
            parsing.integer(bad, field="month", minimum=1, maximum=12)


_SCALARS = st.none() | st.booleans() | st.integers(-(10**30) + 1, 10**30 - 1) | st.text()


@given(st.recursive(_SCALARS, st.lists, max_leaves=30))
def test_loads_json_round_trips_ordinary_json(value: object) -> None:
    text = json.dumps(value)
    assert parsing.loads_json(text) == json.loads(text)


@given(st.text())
def test_loads_json_only_ever_raises_invalid(text: str) -> None:
    with contextlib.suppress(Invalid):
        parsing.loads_json(text)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_float_round_trips_finite_floats(value: float) -> None:
    assert parsing.parse_float(repr(value)) == value


@given(st.text(max_size=50))
def test_csv_rows_only_ever_raises_invalid(text: str) -> None:
    with contextlib.suppress(Invalid):
        list(parsing.csv_rows(text))

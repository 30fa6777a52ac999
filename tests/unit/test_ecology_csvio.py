"""COUNTS.csv reader: strict errors that name the row and column, and a round trip."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.ecology.csvio import CountsTable, parse_counts, write_counts
from commonpot.errors import Invalid


def test_reads_samples_species_and_values() -> None:
    table = parse_counts("sample,Zea mays,Phaseolus\ndome A,10,2.5\ndome B,0,1\n")
    assert table.samples == ["dome A", "dome B"]
    assert table.species == ["Zea mays", "Phaseolus"]
    np.testing.assert_array_equal(table.counts, [[10, 2.5], [0, 1]])
    np.testing.assert_array_equal(table.column("Phaseolus"), [2.5, 1])


def test_byte_order_mark_and_blank_trailing_lines_are_fine() -> None:
    table = parse_counts("\ufeffsample,a\r\nx,1\r\n\r\n")
    assert table.samples == ["x"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sample,Zea mays\na,1\nb,2\nc,x\n", 'row 4, column "Zea mays": not a number'),
        ("sample,Zea mays\na,-1\n", 'row 2, column "Zea mays": negative value -1'),
        ("sample,a,b\nx,1,\n", 'row 2, column "b": missing value'),
        ("sample,a,b\nx,1,nan\n", 'row 2, column "b": not a finite number'),
        ("sample,a\nx,inf\n", 'row 2, column "a": not a finite number'),
        ("site,a\nx,1\n", "row 1: missing header"),
        ("a,b\n1,2\n", "row 1: missing header"),
        ("sample,a,a\nx,1,2\n", 'row 1, column "a": duplicate species'),
        ("sample,a,\nx,1,2\n", "row 1, column 3: empty species name"),
        ("sample\nx\n", "row 1: the header names no species"),
        ("sample,a\nx,1\nx,2\n", 'row 3, column "sample": duplicate sample "x" (first on row 2)'),
        ("sample,a,b\nx,1\n", "row 2: has 2 columns, the header has 3"),
        ("sample,a\nx,1,2\n", "row 2: has 3 columns, the header has 2"),
        ("sample,a\n,1\n", 'row 2, column "sample": empty sample name'),
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("sample,a\n", "no sample rows"),
    ],
)
def test_malformed_files_name_row_and_column(text: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_counts(text)
    assert message in caught.value.detail


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs")),
    min_size=1,
    max_size=8,
).filter(lambda s: s.strip() == s and s.lower() != "sample")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(names, min_size=1, max_size=5, unique=True),
    st.lists(names, min_size=1, max_size=4, unique=True),
    st.data(),
)
def test_write_then_parse_round_trips(
    species: list[str], samples: list[str], data: st.DataObject
) -> None:
    values = data.draw(
        st.lists(
            st.lists(
                st.one_of(st.integers(0, 10**6).map(float), st.floats(0, 1e6, allow_nan=False)),
                min_size=len(species),
                max_size=len(species),
            ),
            min_size=len(samples),
            max_size=len(samples),
        )
    )
    table = CountsTable(samples, species, np.array(values, dtype=float).reshape(len(samples), -1))
    back = parse_counts(write_counts(table))
    assert back.samples == samples
    assert back.species == species
    np.testing.assert_array_equal(back.counts, table.counts)

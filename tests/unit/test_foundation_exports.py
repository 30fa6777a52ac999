"""CSV exports never hand a spreadsheet a formula (CSV injection), and read back unchanged."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from commonpot.ecology.csvio import CountsTable, parse_counts, write_counts
from commonpot.exports import csv_text, plain_cell, safe_cell

HOSTILE = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rCR", '=HYPERLINK("x")']


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_cells_are_text(text: str) -> None:
    cell = safe_cell(text)
    assert cell.startswith("'")
    assert plain_cell(cell) == text.replace("\r", "\n")


def test_plain_values_and_numbers_are_untouched() -> None:
    assert [safe_cell(v) for v in ("Zea mays", "", None, 3, -2.5, "a=b")] == [
        "Zea mays",
        "",
        "",
        "3",
        "-2.5",
        "a=b",
    ]
    assert plain_cell("'quoted") == "'quoted"


def test_csv_text_neutralises_every_cell() -> None:
    rows = list(csv.reader(io.StringIO(csv_text([HOSTILE, ["ok", 1]]), newline="")))
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in rows[0])
    assert rows[1] == ["ok", "1"]


def test_inventory_export_is_safe_and_round_trips() -> None:
    table = CountsTable(
        ["=cmd|' /C calc'!A0", "North Dome"], ["@SUM(A1)", "-x", "Zea mays"], np.ones((2, 3))
    )
    text = write_counts(table)
    for row in csv.reader(io.StringIO(text)):
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    again = parse_counts(text)
    assert again.samples == table.samples
    assert again.species == table.species

"""Strict reading and writing of COUNTS.csv: `sample,<species...>` then one row per sample."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from commonpot.errors import Invalid
from commonpot.exports import csv_text, plain_cell
from commonpot.parsing import csv_rows, parse_float, read_text

MAX_BYTES = 50_000_000
# counts or square metres; beyond this sums and diversity indices could overflow to inf/nan
MAX_VALUE = 1e12


@dataclass(frozen=True)
class CountsTable:
    """A labelled samples × species matrix of non-negative counts or areas."""

    samples: list[str]
    species: list[str]
    counts: NDArray[np.float64]

    def column(self, name: str) -> NDArray[np.float64]:
        """Values of one species across samples."""
        return self.counts[:, self.species.index(name)]


def _number(cell: str, row: int, column: str) -> float:
    text = cell.strip()
    if text == "":
        raise Invalid(
            'row %(row)s, column "%(column)s": missing value', row=str(row), column=column
        )
    try:
        value = parse_float(text)
    except Invalid as exc:
        raise Invalid(
            'row %(row)s, column "%(column)s": %(problem)s',
            row=str(row),
            column=column,
            problem=exc.detail,
        ) from None
    if value < 0:
        raise Invalid(
            'row %(row)s, column "%(column)s": negative value %(value)s',
            row=str(row),
            column=column,
            value=text,
        )
    if value > MAX_VALUE:
        raise Invalid(
            'row %(row)s, column "%(column)s": %(value)s is more than %(limit)s',
            row=str(row),
            column=column,
            value=text[:40],
            limit=MAX_VALUE,
        )
    return value


def _header(first: list[str]) -> list[str]:
    if not first or first[0].strip().lower() != "sample":
        raise Invalid(
            'row 1: missing header; the first row must be "sample,<species 1>,<species 2>,..."'
        )
    species = [plain_cell(name.strip()) for name in first[1:]]
    if not species:
        raise Invalid("row 1: the header names no species")
    seen: set[str] = set()
    for position, name in enumerate(species, start=2):
        if name == "":
            raise Invalid("row 1, column %(column)s: empty species name", column=str(position))
        if name in seen:
            raise Invalid('row 1, column "%(column)s": duplicate species', column=name)
        seen.add(name)
    return species


def parse_counts(text: str) -> CountsTable:
    """Parse COUNTS.csv text; any malformed cell raises Invalid naming its row and column."""
    if len(text) > MAX_BYTES:
        raise Invalid("the file is too large")
    numbered = [(n, r) for n, r in csv_rows(text) if any(c.strip() for c in r)]
    if not numbered:
        raise Invalid("the file is empty")
    header_row, first = numbered[0]
    if header_row != 1:
        raise Invalid("row %(row)s: blank lines before the header", row=str(header_row))
    species = _header(first)
    width = len(species) + 1
    samples: list[str] = []
    seen: dict[str, int] = {}
    values = np.zeros((len(numbered) - 1, len(species)))
    for i, (row_number, row) in enumerate(numbered[1:]):
        if len(row) != width:
            raise Invalid(
                "row %(row)s: has %(columns)s columns, the header has %(width)s",
                row=str(row_number),
                columns=len(row),
                width=width,
            )
        name = plain_cell(row[0].strip())
        if name == "":
            raise Invalid('row %(row)s, column "sample": empty sample name', row=str(row_number))
        if name in seen:
            raise Invalid(
                'row %(row)s, column "sample": duplicate sample "%(sample)s"'
                " (first on row %(first)s)",
                row=str(row_number),
                sample=name,
                first=str(seen[name]),
            )
        seen[name] = row_number
        samples.append(name)
        for j, cell in enumerate(row[1:]):
            values[i, j] = _number(cell, row_number, species[j])
    if not samples:
        raise Invalid("the file has a header but no sample rows")
    return CountsTable(samples=samples, species=species, counts=values)


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(float(value))


def write_counts(table: CountsTable) -> str:
    """Write a table back to COUNTS.csv text (whole numbers without a decimal point)."""
    rows: list[list[object]] = [["sample", *table.species]]
    for name, row in zip(table.samples, table.counts.tolist(), strict=True):
        rows.append([name, *(_format(v) for v in row)])
    return csv_text(rows)


def read_counts_file(path: str) -> CountsTable:
    """Read and parse a COUNTS.csv file from disk (for the CLI)."""
    return parse_counts(read_text(path, limit=MAX_BYTES))

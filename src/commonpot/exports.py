"""CSV written for people to open in spreadsheets: cells can never run as formulas.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (CSV/formula injection). Every CSV export goes through
`csv_text`, which prefixes such text cells with an apostrophe; `plain_cell` undoes it when
the same file is read back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text that a spreadsheet shows as text (numbers stay numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = "" if value is None else str(value)
        # a bare CR would not be quoted and would split the row: one kind of line break
        text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
        return "'" + text if text.startswith((*FORMULA_START, "\n")) else text
    return str(value)


def plain_cell(text: str) -> str:
    """A cell read back from an export: the apostrophe added by `safe_cell` removed."""
    if len(text) >= 2 and text[0] == "'" and text[1] in (*FORMULA_START, "\n"):
        return text[1:]
    return text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text with every cell made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()

"""`ledger_words.pretty_json`: a ledger entry as the ledger page shows it, the very text
`json.dumps(entry, indent=2, ensure_ascii=False, sort_keys=True)` gives, for any entry."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from commonpot.governance.ledger_words import describe, pretty_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def reference(entry: dict[str, Any]) -> str:
    return json.dumps(entry, indent=2, ensure_ascii=False, sort_keys=True)


@given(st.dictionaries(st.text(), SCALARS, max_size=12))
def test_a_flat_entry_is_written_as_json_dumps_writes_it(entry: dict[str, Any]) -> None:
    assert pretty_json(entry) == reference(entry)


@given(st.dictionaries(st.text(), VALUES, max_size=6))
def test_any_entry_is_written_as_json_dumps_writes_it(entry: dict[str, Any]) -> None:
    assert pretty_json(entry) == reference(entry)


def test_a_ledger_entry_reads_back_from_what_the_page_shows() -> None:
    entry = {
        "type": "proposal.closed",
        "proposal": 7,
        "title": "Sopa de lentejas \u2014 \u00bflos jueves?",
        "by": 3,
        "at": "2026-12-07T10:00:00Z",
        "turnout": 0.75,
        "quote": 'she said "yes"\nthen left',
    }
    said = describe(1, json.dumps(entry), {3: "Ana"})
    assert said.pretty == reference(entry)
    assert json.loads(said.pretty) == entry
    assert "\u00bflos jueves?" in said.pretty  # written as read, not as \\u escapes
    assert said.pretty.splitlines()[1] == '  "at": "2026-12-07T10:00:00Z",'


def test_a_key_that_is_not_a_string_is_written_as_json_dumps_writes_it() -> None:
    entry: dict[str, Any] = {"b": {2: "two", 1: ["one", {"z": None}]}, "a": [[], {}]}
    assert pretty_json(entry) == reference(entry)

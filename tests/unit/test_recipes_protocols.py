"""Local Contexts labels: lookup, restriction and export records."""

from __future__ import annotations

import pytest

from commonpot.errors import Invalid
from commonpot.recipes.protocols import (
    LABELS,
    Reach,
    conditions_text,
    label,
    protocol_labels,
    reach,
)


@pytest.mark.parametrize("code", ["TK CO", "tk-co", "TKCO", " tk_co "])
def test_label_lookup_spellings(code: str) -> None:
    assert label(code).name == "TK Community Use Only"


def test_unknown_label() -> None:
    with pytest.raises(Invalid, match="unknown Local Contexts label"):
        label("TK ZZ")


def test_urls() -> None:
    assert label("TK SS").url == "https://localcontexts.org/label/tk-secret-sacred/"
    assert label("BC P").url == "https://localcontexts.org/label/bc-provenance/"


@pytest.mark.parametrize(
    ("codes", "requested", "expected"),
    [
        ([], Reach.PUBLIC, Reach.PUBLIC),
        (["TK A", "TK NC"], Reach.PUBLIC, Reach.PUBLIC),
        (["TK A", "TK CO"], Reach.PUBLIC, Reach.COMMUNITY),
        (["TK SS"], Reach.PUBLIC, Reach.COMMUNITY),
        (["TK WR"], Reach.PUBLIC, Reach.COMMUNITY),
        ([], Reach.COMMUNITY, Reach.COMMUNITY),
    ],
)
def test_reach(codes: list[str], requested: Reach, expected: Reach) -> None:
    assert reach(codes, requested) is expected


def test_restricting_labels() -> None:
    restricted = {c for c, info in LABELS.items() if info.community_only}
    assert restricted == {"TK F", "TK CS", "TK SS", "TK CO", "TK MR", "TK WR"}
    assert len(LABELS) == 30


def test_protocol_labels_dedupe_in_order() -> None:
    records = protocol_labels(["tk-a", "TK CO", "TK A"])
    assert [r.code for r in records] == ["TK A", "TK CO"]
    assert records[1].url == "https://localcontexts.org/label/tk-community-use-only/"


def test_conditions_text() -> None:
    assert conditions_text([], "Riverbend") is None
    assert conditions_text(["TK CO"], "Riverbend") == (
        "Restricted to members of Riverbend (TK Community Use Only); do not share outside it."
    )
    assert conditions_text(["TK A"], "Riverbend") == (
        "Shared by Riverbend under its protocol: TK Attribution."
    )

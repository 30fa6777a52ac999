"""The recipe editor's textareas: sections marked "## ", lineage rows."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from commonpot.errors import Invalid
from commonpot.recipes.forms import (
    form_values,
    lineage_rows,
    oral_history_from_form,
    parse_lineage,
    parse_sections,
    recipe_in_from_form,
)


def test_sections() -> None:
    sections = parse_sections("Wash.\n\n## Dough\nMix.\nKnead.\n## \nBake.")
    assert [(s.name, s.steps) for s in sections] == [
        (None, ["Wash."]),
        ("Dough", ["Mix.", "Knead."]),
        (None, ["Bake."]),
    ]
    assert parse_sections("") == []


def test_lineage_rows() -> None:
    form = FormData(
        [
            ("lineage-0-generation", "3"),
            ("lineage-0-name", " Ana "),
            ("lineage-1-generation", "1"),
            ("lineage-1-name", "Ines"),
            ("lineage-1-relation", "grandmother"),
            ("lineage-1-place", "Zuni"),
            ("lineage-1-period", "1930s"),
            ("lineage-2-generation", "2"),  # a blank row: only the pre-filled generation
            ("lineage-3-name", "Maria"),
        ]
    )
    people = parse_lineage(lineage_rows(form))
    # oldest generation first; a row without a generation is the first generation
    assert [(p.generation, p.name, p.relation, p.place, p.period) for p in people] == [
        (1, "Ines", "grandmother", "Zuni", "1930s"),
        (1, "Maria", "", "", ""),
        (3, "Ana", "", "", ""),
    ]
    with pytest.raises(Invalid) as bad:
        parse_lineage(
            lineage_rows(FormData([("lineage-0-generation", "x"), ("lineage-0-name", "Ana")]))
        )
    assert bad.value.field == "lineage-0-generation"


def test_recipe_from_form() -> None:
    form = FormData(
        [
            ("name", " Atole "),
            ("servings", "4"),
            ("ingredients", "1 cup masa\n\n4 cups water"),
            ("tags", "drink, , morning"),
            ("reach", "community"),
            ("labels", "TK A"),
            ("labels", "TK CO"),
            ("season_start", "11"),
            ("season_end", ""),
        ]
    )
    data = recipe_in_from_form(form)
    assert data.name == "Atole"
    assert data.servings == 4
    assert data.ingredients == ["1 cup masa", "4 cups water"]
    assert data.tags == ["drink", " morning"]
    assert data.reach == "community"
    assert data.labels == ["TK A", "TK CO"]
    assert (data.season_start, data.season_end) == (11, None)
    assert form_values(form)["labels"] == ["TK A", "TK CO"]


def test_oral_history_needs_consent() -> None:
    with pytest.raises(Invalid, match="consent is required"):
        oral_history_from_form(FormData([("narrator", "Ines"), ("recorded_by", "Ana")]))

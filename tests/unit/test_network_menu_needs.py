"""Menu shopping lines to needs: staples skipped, amounts rounded up, one need per food."""

from __future__ import annotations

from fractions import Fraction

from commonpot.network.menu_needs import is_staple, needs_from_lines


def test_staples_skipped_amounts_rounded_foods_grouped() -> None:
    lines = [
        ("water", Fraction(3, 2), "litre"),
        ("sea salt", Fraction(2), "teaspoon"),
        ("olive oil", Fraction(3), "tablespoon"),
        ("plantain", Fraction(1, 8), "piece"),
        ("plantains", Fraction(2), None),
        ("pork shoulder", Fraction(1300), "gram"),
        ("hominy", Fraction(350), "gram"),
        ("cumin", Fraction(1), "teaspoon"),
        ("chicken stock", Fraction(3), "cup"),
        ("coriander", Fraction(1), "bunch"),
    ]
    drafts = {(d.category, d.unit): d.quantity for d in needs_from_lines(lines)}
    assert drafts == {
        ("plantain", "pieces"): 3,  # 1/8 + 2 rounded up, one need for both lines
        ("pork shoulder", "kg"): 2,
        ("hominy", "g"): 500,
        ("cumin", "jars"): 1,
        ("chicken stock", "litres"): 1,
        ("coriander", "bunches"): 1,
    }


def test_the_community_list_decides_what_is_a_staple() -> None:
    assert is_staple("Sea Salt", ["salt"]) and not is_staple("salted cod", ["salt"])
    kept = needs_from_lines([("water", Fraction(2), "litre")], staples=["salt"])
    assert [(d.category, d.quantity, d.unit) for d in kept] == [("water", 2, "litres")]

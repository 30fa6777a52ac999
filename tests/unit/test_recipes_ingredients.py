"""Ingredient line parser: quantities, ranges, units, food and notes."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot.recipes.ingredients import parse_ingredient, parse_ingredients
from commonpot.recipes.units import lookup_unit, unit_kind, unit_label

F = Fraction


@pytest.mark.parametrize(
    ("line", "quantity", "unit", "food"),
    [
        ("1 ½ cups flour", F(3, 2), "cup", "flour"),
        ("1½ cups flour", F(3, 2), "cup", "flour"),
        ("½ cup sugar", F(1, 2), "cup", "sugar"),
        ("¾ tsp salt", F(3, 4), "teaspoon", "salt"),
        ("⅓ cup milk", F(1, 3), "cup", "milk"),
        ("1 1/2 cups water", F(3, 2), "cup", "water"),
        ("1-1/2 cups water", F(3, 2), "cup", "water"),
        ("3/4 cup oats", F(3, 4), "cup", "oats"),
        ("1⁄2 cup sugar", F(1, 2), "cup", "sugar"),
        ("1.5 kg potatoes", F(3, 2), "kilogram", "potatoes"),
        ("1,5 kg potatoes", F(3, 2), "kilogram", "potatoes"),
        ("0,25 l cream", F(1, 4), "litre", "cream"),
        (".5 lb beef", F(1, 2), "pound", "beef"),
        ("1,000 g flour", F(1000), "gram", "flour"),
        ("200g flour", F(200), "gram", "flour"),
        ("250ml milk", F(250), "millilitre", "milk"),
        ("2 kg lamb shoulder", F(2), "kilogram", "lamb shoulder"),
        ("12 oz pasta", F(12), "ounce", "pasta"),
        ("1 lb ground beef", F(1), "pound", "ground beef"),
        ("2 lbs carrots", F(2), "pound", "carrots"),
        ("1 fl oz rum", F(1), "fluid_ounce", "rum"),
        ("2 fluid ounces lime juice", F(2), "fluid_ounce", "lime juice"),
        ("1 L water", F(1), "litre", "water"),
        ("1 litre stock", F(1), "litre", "stock"),
        ("3 dl cream", F(3), "decilitre", "cream"),
        ("2 Tbsp. honey", F(2), "tablespoon", "honey"),
        ("2 tbsp olive oil", F(2), "tablespoon", "olive oil"),
        ("1 tablespoon vinegar", F(1), "tablespoon", "vinegar"),
        ("1 T butter", F(1), "tablespoon", "butter"),
        ("1 t baking soda", F(1), "teaspoon", "baking soda"),
        ("2 teaspoons cumin", F(2), "teaspoon", "cumin"),
        ("1 c. sugar", F(1), "cup", "sugar"),
        ("1 cup of rice", F(1), "cup", "rice"),
        ("4 cloves garlic", F(4), "clove", "garlic"),
        ("1 clove garlic", F(1), "clove", "garlic"),
        ("1 bunch cilantro", F(1), "bunch", "cilantro"),
        ("2 cans chickpeas", F(2), "can", "chickpeas"),
        ("4 pieces chicken", F(4), "piece", "chicken"),
        ("3 slices bread", F(3), "slice", "bread"),
        ("2 sprigs rosemary", F(2), "sprig", "rosemary"),
        ("a pinch of salt", F(1), "pinch", "salt"),
        ("Pinch of nutmeg", F(1), "pinch", "nutmeg"),
        ("a handful of basil leaves", F(1), "handful", "basil leaves"),
        ("2 pinches saffron", F(2), "pinch", "saffron"),
        ("1 dash bitters", F(1), "dash", "bitters"),
        ("3 eggs", F(3), None, "eggs"),
        ("one lemon", F(1), None, "lemon"),
        ("a dozen eggs", F(12), None, "eggs"),
        ("10 g salt", F(10), "gram", "salt"),
    ],
)
def test_quantity_unit_and_food(line: str, quantity: Fraction, unit: str | None, food: str) -> None:
    parsed = parse_ingredient(line)
    assert parsed.quantity == quantity
    assert parsed.quantity_max is None
    assert parsed.unit == unit
    assert parsed.food == food
    assert parsed.original == line


@pytest.mark.parametrize(
    ("line", "low", "high", "unit", "food"),
    [
        ("2-3 cloves garlic", F(2), F(3), "clove", "garlic"),
        ("2 - 3 cloves garlic", F(2), F(3), "clove", "garlic"),
        ("2–3 tbsp butter", F(2), F(3), "tablespoon", "butter"),
        ("2 to 3 cups stock", F(2), F(3), "cup", "stock"),
        ("2 or 3 sprigs thyme", F(2), F(3), "sprig", "thyme"),
        ("½-1 tsp chili flakes", F(1, 2), F(1), "teaspoon", "chili flakes"),
        ("1 ½ - 2 cups flour", F(3, 2), F(2), "cup", "flour"),
        ("6—8 small potatoes", F(6), F(8), None, "potatoes"),
    ],
)
def test_ranges(line: str, low: Fraction, high: Fraction, unit: str | None, food: str) -> None:
    parsed = parse_ingredient(line)
    assert (parsed.quantity, parsed.quantity_max) == (low, high)
    assert parsed.is_range
    assert parsed.unit == unit
    assert parsed.food == food


def test_descending_numbers_are_not_a_range() -> None:
    parsed = parse_ingredient("3-2 cups water")
    assert parsed.quantity == 3
    assert parsed.quantity_max is None


@pytest.mark.parametrize(
    ("line", "food", "note"),
    [
        ("1 ½ cups flour, sifted", "flour", "sifted"),
        ("2-3 cloves garlic, minced", "garlic", "minced"),
        ("250 ml milk (warm)", "milk", "warm"),
        ("10 g (2 tsp) salt", "salt", "2 tsp"),
        ("1 large onion, finely chopped", "onion", "large; finely chopped"),
        ("3 medium carrots", "carrots", "medium"),
        ("Salt to taste", "Salt", "to taste"),
        ("salt and pepper, to taste", "salt and pepper", "to taste"),
        ("Olive oil, for frying", "Olive oil", "for frying"),
        ("1 tsp sugar (optional)", "sugar", "optional"),
        ("fresh parsley, chopped, for garnish", "fresh parsley", "chopped; for garnish"),
        ("1 cup flour [sifted]", "flour", "sifted"),
        ("chilli flakes, or to taste", "chilli flakes", "to taste"),
        ("water as needed", "water", "as needed"),
    ],
)
def test_notes(line: str, food: str, note: str) -> None:
    parsed = parse_ingredient(line)
    assert parsed.food == food
    assert parsed.note == note


def test_salt_to_taste_has_no_quantity_or_unit() -> None:
    parsed = parse_ingredient("salt to taste")
    assert parsed.quantity is None
    assert parsed.unit is None


@pytest.mark.parametrize(
    ("line", "quantity", "unit", "food", "note"),
    [
        ("1 (14 oz) can coconut milk", F(1), "can", "coconut milk", "14 oz"),
        ("2 x 400g tins chopped tomatoes", F(2), "can", "chopped tomatoes", "400 g"),
        ("1 14-ounce can black beans, drained", F(1), "can", "black beans", "14 ounce; drained"),
        ("1 (8 oz) package cream cheese", F(1), "package", "cream cheese", "8 oz"),
    ],
)
def test_container_sizes_become_notes(
    line: str, quantity: Fraction, unit: str, food: str, note: str
) -> None:
    parsed = parse_ingredient(line)
    assert (parsed.quantity, parsed.unit, parsed.food, parsed.note) == (quantity, unit, food, note)


@pytest.mark.parametrize(
    "line",
    ["• 2 cups rice", "- 2 cups rice", "* 2 cups rice", "  2\xa0cups   rice  "],
)
def test_bullets_and_spacing_are_ignored(line: str) -> None:
    parsed = parse_ingredient(line)
    assert (parsed.quantity, parsed.unit, parsed.food) == (2, "cup", "rice")
    assert parsed.original == line


def test_line_without_quantity_keeps_food() -> None:
    parsed = parse_ingredient("Juice of 1 lemon")
    assert parsed.quantity is None
    assert parsed.food == "Juice of 1 lemon"


def test_zero_denominator_is_not_a_quantity() -> None:
    parsed = parse_ingredient("1/0 cup water")
    assert parsed.quantity is None


def test_a_few_is_not_a_quantity() -> None:
    parsed = parse_ingredient("a few sprigs of thyme")
    assert parsed.quantity is None
    assert parsed.food == "a few sprigs of thyme"


def test_empty_line() -> None:
    parsed = parse_ingredient("")
    assert parsed.quantity is None
    assert parsed.food == ""


def test_parse_ingredients_keeps_order() -> None:
    lines = ["1 cup rice", "2 cups water", "salt"]
    assert [p.food for p in parse_ingredients(lines)] == ["rice", "water", "salt"]


def test_unit_helpers() -> None:
    assert lookup_unit("Tbsp.") == "tablespoon"
    assert lookup_unit("T") == "tablespoon"
    assert lookup_unit("t") == "teaspoon"
    assert lookup_unit("banana") is None
    assert unit_kind("cup") is not None
    assert unit_kind("cup").value == "volume"  # type: ignore[union-attr]
    assert unit_kind("clove").value == "count"  # type: ignore[union-attr]
    assert unit_kind(None) is None
    assert unit_label("leaf", plural=True) == "leaves"
    assert unit_label("fluid_ounce", plural=False) == "fluid ounce"
    assert unit_label("cup", plural=True) == "cups"


@given(st.text(max_size=80))
def test_never_raises_and_keeps_original(line: str) -> None:
    parsed = parse_ingredient(line)
    assert parsed.original == line
    if parsed.quantity is not None:
        assert parsed.quantity >= 0
    if parsed.quantity_max is not None:
        assert parsed.quantity is not None
        assert parsed.quantity_max >= parsed.quantity


_UNITS = {"cup": "cup", "tbsp": "tablespoon", "g": "gram", "ml": "millilitre", "clove": "clove"}


@given(
    whole=st.integers(min_value=0, max_value=50),
    num=st.integers(min_value=1, max_value=7),
    spelling=st.sampled_from(sorted(_UNITS)),
    food=st.sampled_from(["rice", "flour", "garlic", "black beans", "red lentils"]),
)
def test_generated_mixed_numbers_round_trip(whole: int, num: int, spelling: str, food: str) -> None:
    text = f"{whole} {num}/8" if whole else f"{num}/8"
    parsed = parse_ingredient(f"{text} {spelling} {food}")
    assert parsed.quantity == whole + Fraction(num, 8)
    assert parsed.unit == _UNITS[spelling]
    assert parsed.food == food

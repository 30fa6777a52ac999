"""Scaled amounts a cook can measure, and a shopping list that merges what is the same food.

The oracles here are written out by hand (what a cook would write) or brute-forced from the
rules ("whole items", "halves, thirds, quarters", "5 g steps under 250 g"), never read back
from the code under test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot.recipes.conversion import factor
from commonpot.recipes.ingredients import parse_ingredient, parse_ingredients
from commonpot.recipes.scaling import ScalableRecipe, scale_lines, scale_recipe
from commonpot.recipes.shopping import display_name, shopping_list

F = Fraction


def _scaled(line: str, servings_from: int, servings_to: int) -> str:
    return scale_lines([parse_ingredient(line)], servings_from, servings_to)[0].display


@pytest.mark.parametrize(
    ("line", "servings_from", "servings_to", "expected"),
    [
        # the lines seen in the demo, and what a cook writes instead
        ("1 chile ancho", 8, 7, "1 chile ancho"),  # not ⅞
        ("2 chiles ancho", 4, 7, "4 chiles ancho"),  # 3.5 -> 4: one more, not one short
        ("1 white onion", 4, 10, "3 white onion"),  # not 2 ½
        ("1 white onion", 4, 2, "½ white onion"),
        ("3 eggs", 4, 5, "4 eggs"),  # 3.75
        ("3 eggs", 4, 3, "2 eggs"),  # 2.25
        ("2 cloves garlic", 4, 3, "2 cloves garlic"),  # 1.5 -> 2
        ("1 can tomatoes", 4, 6, "2 cans tomatoes"),  # 1.5 -> 2
        ("1 pinch salt", 4, 19, "5 pinches salt"),  # not 4 ¾
        ("1 pinch salt", 4, 1, "1 pinch salt"),  # never a quarter of a pinch
        ("1 cup milk", 8, 5, "⅔ cup milk"),  # 0.625: cups have thirds, not eighths
        ("1 tbsp oil", 3, 4, "1 ⅓ tbsp oil"),
        ("1 tsp salt", 8, 1, "⅛ tsp salt"),  # the smallest spoon of a set
        ("65 g butter", 4, 3, "50 g butter"),  # 48.75 -> 5 g steps
        ("220 g flour", 4, 3, "165 g flour"),  # 5 g steps under 250 g
        ("420 g flour", 4, 3, "320 g flour"),  # 315 -> 10 g steps above 250 g
        ("7 g yeast", 4, 3, "5 g yeast"),  # 5.25 -> whole grams under 10 g
        ("1 kg potatoes", 4, 5, "1.25 kg potatoes"),
        ("1 cup flour", 1, 1, "1 cup flour"),
        ("300 ml stock", 4, 5, "380 ml stock"),  # 375 -> 10 ml steps above 250 ml
        ("2 kg pork", 6, 20, "6.67 kg pork"),  # 10 g steps in kilograms too
    ],
)
def test_amounts_a_cook_uses(
    line: str, servings_from: int, servings_to: int, expected: str
) -> None:
    assert _scaled(line, servings_from, servings_to) == expected


def test_same_servings_keep_what_the_author_wrote() -> None:
    recipe = ScalableRecipe(F(4), tuple(parse_ingredients(["1 ½ onions", "⅝ cup milk"])))
    assert [s.display for s in scale_recipe(recipe, 4)] == ["1 ½ onions", "⅝ cup milk"]


@given(count=st.integers(1, 12), servings_from=st.integers(1, 12), servings_to=st.integers(1, 40))
def test_countables_come_whole(count: int, servings_from: int, servings_to: int) -> None:
    (item,) = scale_lines([parse_ingredient(f"{count} eggs")], servings_from, servings_to)
    exact = F(count * servings_to, servings_from)
    assert item.quantity is not None
    if exact >= 1:
        assert item.quantity.denominator == 1
        assert abs(item.quantity - exact) <= F(1, 2)
        assert item.quantity >= exact - F(1, 2) and (item.quantity != exact - F(1, 2))
    else:
        assert item.quantity in {F(1, 2), F(1)}


def _measures(unit: str, exact: Fraction) -> list[Fraction]:
    # every amount a set of cups or spoons can show near `exact`
    denominators = [1, 2, 3, 4] + ([8] if unit == "tsp" and exact < F(1, 2) else [])
    top = int(exact) + 2
    return [F(n, d) for d in denominators for n in range(1, top * d + 1)]


@given(amount=st.integers(1, 8), servings_from=st.integers(1, 12), servings_to=st.integers(1, 24))
def test_cups_show_halves_thirds_and_quarters(
    amount: int, servings_from: int, servings_to: int
) -> None:
    (item,) = scale_lines([parse_ingredient(f"{amount} cups rice")], servings_from, servings_to)
    exact = F(amount * servings_to, servings_from)
    assert item.quantity is not None and item.unit is not None
    if servings_from == servings_to:
        return
    if item.unit == "cup":
        assert item.quantity.denominator in {1, 2, 3, 4}
        nearest = min(abs(m - exact) for m in _measures("cup", exact))
        assert abs(item.quantity - exact) == nearest
    else:  # a small amount moves to spoons, still within a tenth or the nearest spoon
        assert item.unit in {"tablespoon", "teaspoon", "pinch"}
        assert item.quantity.denominator in {1, 2, 3, 4, 8}


@given(grams=st.integers(1, 3000), servings_from=st.integers(1, 12), servings_to=st.integers(1, 24))
def test_grams_in_kitchen_scale_steps(grams: int, servings_from: int, servings_to: int) -> None:
    (item,) = scale_lines([parse_ingredient(f"{grams} g rice")], servings_from, servings_to)
    if servings_from == servings_to:
        return
    assert item.quantity is not None and item.unit is not None
    shown = item.quantity * factor(item.unit, "gram")
    if item.unit in {"gram", "milligram"}:  # under a gram, the same steps in milligrams
        shown = item.quantity
        step = F(1, 10) if shown < 1 else F(1) if shown < 10 else F(5) if shown <= 250 else F(10)
    else:
        assert item.unit == "kilogram"
        step = F(10) if shown <= 10000 else F(100) if shown <= 100000 else F(1000)
    assert (shown / step).denominator == 1, (shown, step)


def _plan(*recipes: tuple[str, int, list[str]]) -> list[tuple[ScalableRecipe, int]]:
    return [
        (ScalableRecipe(F(servings), tuple(parse_ingredients(lines)), name), servings)
        for name, servings, lines in recipes
    ]


def test_tablets_in_singular_and_plural_merge_and_keep_the_proper_noun() -> None:
    lines = shopping_list(
        _plan(
            ("Champurrado", 4, ["⅛ tablet Mexican chocolate"]),
            ("Mole", 4, ["¼ tablets Mexican chocolate", "2 chiles ancho"]),
            ("Salsa", 4, ["1 chile ancho"]),
        )
    )
    by_food = {line.food: line for line in lines}
    assert set(by_food) == {"Mexican chocolate", "chiles ancho"}
    chocolate = by_food["Mexican chocolate"]
    assert chocolate.unit == "tablet"
    assert chocolate.quantity == F(1, 2)  # ⅛ + ¼ = ⅜ of a tablet: buy half a tablet
    assert chocolate.display == "½ tablet Mexican chocolate"
    assert chocolate.recipes == ("Champurrado", "Mole")
    assert by_food["chiles ancho"].quantity == 3


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["Mexican chocolate", "Mexican chocolate"], "Mexican chocolate"),
        (["Onions", "onion"], "onions"),
        (["RED ONIONS", "red onion"], "red onions"),
        (["Oaxaca cheese"], "Oaxaca cheese"),
        (["queso Oaxaca", "queso oaxaca"], "queso oaxaca"),
    ],
)
def test_display_name_keeps_proper_nouns(spellings: list[str], expected: str) -> None:
    assert display_name(spellings) == expected

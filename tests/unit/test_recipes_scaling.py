"""Scaling to N servings, unit conversion with densities, and display rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot.errors import Invalid
from commonpot.recipes.conversion import convert, density, factor, food_key, singular
from commonpot.recipes.ingredients import parse_ingredient, parse_ingredients
from commonpot.recipes.scaling import (
    ScalableRecipe,
    format_amount,
    format_number,
    round_for_display,
    scale_factor,
    scale_lines,
    scale_recipe,
    servings_from_yield,
    tidy_unit,
)

F = Fraction


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("tablespoon", "teaspoon", F(3)),
        ("cup", "tablespoon", F(16)),
        ("pound", "ounce", F(16)),
        ("kilogram", "gram", F(1000)),
        ("litre", "millilitre", F(1000)),
        ("pinch", "teaspoon", F(1, 16)),
        ("dash", "teaspoon", F(1, 8)),
        ("clove", "clove", F(1)),
    ],
)
def test_exact_factors(source: str, target: str, expected: Fraction) -> None:
    assert factor(source, target) == expected


def test_cup_is_about_237_ml() -> None:
    assert abs(factor("cup", "millilitre") - F("236.588")) < F(1, 1000)
    assert abs(factor("ounce", "gram") - F("28.3495")) < F(1, 1000)


@pytest.mark.parametrize(
    ("source", "target"),
    [("clove", "can"), ("clove", "gram"), ("bunch", "cup"), ("cup", "clove")],
)
def test_count_units_are_their_own_dimension(source: str, target: str) -> None:
    with pytest.raises(Invalid, match="cannot convert"):
        convert(F(1), source, target, "garlic")


def test_weight_volume_needs_a_density() -> None:
    with pytest.raises(Invalid, match="no density"):
        convert(F(1), "cup", "gram", "kale")
    with pytest.raises(Invalid, match="no density"):
        convert(F(100), "gram", "millilitre")


def test_weight_volume_with_density() -> None:
    grams = convert(F(1), "cup", "gram", "all-purpose flour")
    assert F(124) < grams < F(126)  # 236.6 ml x 0.53 g/ml
    assert convert(F(1000), "gram", "litre", "water") == 1
    back = convert(grams, "gram", "cup", "all-purpose flour")
    assert abs(back - 1) < F(1, 10000)


@pytest.mark.parametrize(
    ("food", "expected"),
    [
        ("Brown Sugar", F("0.93")),
        ("sugar", F("0.845")),
        ("wild rice", F("0.78")),
        ("extra virgin olive oil", F("0.91")),
        ("sunflower oil", F("0.92")),
        ("rice vinegar", None),
        ("rolled oats", F("0.38")),
        ("", None),
    ],
)
def test_density_matches_head_noun(food: str, expected: Fraction | None) -> None:
    assert density(food) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("tomatoes", "tomato"),
        ("berries", "berry"),
        ("eggs", "egg"),
        ("leaves", "leaf"),
        ("peaches", "peach"),
        ("molasses", "molasses"),
        ("glass", "glass"),
        ("hummus", "hummus"),
        ("cloves", "clove"),
        ("peas", "pea"),
    ],
)
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_food_key() -> None:
    assert food_key("Red  Onions!") == "red onion"
    assert food_key("red onion") == food_key("RED ONIONS")


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        (F(6), "teaspoon", (F(2), "tablespoon")),
        (F(4), "tablespoon", (F(1, 4), "cup")),
        (F(1, 2), "tablespoon", (F(3, 2), "teaspoon")),
        (F(1, 32), "teaspoon", (F(1, 2), "pinch")),
        (F(1500), "gram", (F(3, 2), "kilogram")),
        (F(1, 2), "kilogram", (F(500), "gram")),
        (F(2500), "millilitre", (F(5, 2), "litre")),
        (F(5), "decilitre", (F(500), "millilitre")),
        (F(24), "ounce", (F(3, 2), "pound")),
        (F(3), "clove", (F(3), "clove")),
        (F(3), None, (F(3), None)),
    ],
)
def test_tidy_unit(
    quantity: Fraction, unit: str | None, expected: tuple[Fraction, str | None]
) -> None:
    assert tidy_unit(quantity, unit) == expected


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        (F(1, 3) + F(1, 100), "cup", F(1, 3)),
        (F(0.63), "cup", F(2, 3)),  # cups come in halves, thirds, quarters
        (F(0.49), "teaspoon", F(1, 2)),
        (F(1, 100), "cup", F(1, 4)),  # the smallest cup measure
        (F(0), "cup", F(0)),
        (F("62.4"), "gram", F(60)),  # 5 g steps under 250 g
        (F("3.14159"), "gram", F(3)),  # whole grams under 10 g
        (F("0.01"), "gram", F("0.1")),
        (F(333), "millilitre", F(330)),  # 10 ml steps above 250 ml
        (F(1234), "gram", F(1230)),
    ],
)
def test_round_for_display(quantity: Fraction, unit: str, expected: Fraction) -> None:
    assert round_for_display(quantity, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (F(3, 2), "cup", "1 ½"),
        (F(1, 3), "cup", "⅓"),
        (F(2), "cup", "2"),
        (F(5, 8), "teaspoon", "⅝"),
        (F(3, 2), "kilogram", "1.5"),
        (F(1, 3), "gram", "0.33"),
        (F(7, 16), None, "0.44"),
    ],
)
def test_format_number(value: Fraction, unit: str | None, text: str) -> None:
    assert format_number(value, unit) == text


@pytest.mark.parametrize(
    ("low", "high", "unit", "text"),
    [
        (F(3, 2), None, "cup", "1 ½ cups"),
        (F(1), None, "cup", "1 cup"),
        (F(250), None, "gram", "250 g"),
        (F(2), F(3), "clove", "2–3 cloves"),
        (F(1), None, "leaf", "1 leaf"),
        (F(2), None, "leaf", "2 leaves"),
        (F(3), None, None, "3"),
        (F(2), None, "tablespoon", "2 tbsp"),
    ],
)
def test_format_amount(low: Fraction, high: Fraction | None, unit: str | None, text: str) -> None:
    assert format_amount(low, high, unit) == text


def _recipe() -> ScalableRecipe:
    return ScalableRecipe(
        servings=F(4),
        ingredients=tuple(
            parse_ingredients(
                [
                    "1 ½ cups flour, sifted",
                    "1 tsp salt",
                    "2-3 cloves garlic",
                    "3 eggs",
                    "500 g potatoes",
                    "salt to taste",
                    "a pinch of nutmeg",
                ]
            )
        ),
        name="Test",
    )


def test_scale_up() -> None:
    lines = [s.display for s in scale_recipe(_recipe(), 12)]
    assert lines == [
        "4 ½ cups flour, sifted",
        "1 tbsp salt",
        "6–9 cloves garlic",
        "9 eggs",
        "1.5 kg potatoes",
        "salt to taste",
        "3 pinches nutmeg",
    ]


def test_scale_down() -> None:
    scaled = scale_recipe(_recipe(), 2)
    assert [s.display for s in scaled] == [
        "¾ cup flour, sifted",
        "½ tsp salt",
        "1–2 cloves garlic",
        "2 eggs",
        "250 g potatoes",
        "salt to taste",
        "1 pinch nutmeg",
    ]
    assert scaled[0].quantity == F(3, 4)
    assert scaled[2].quantity_max == F(2)
    assert scaled[5].quantity is None


def test_same_servings_keeps_amounts() -> None:
    scaled = scale_recipe(_recipe(), 4)
    assert [(s.quantity, s.unit) for s in scaled[:2]] == [(F(3, 2), "cup"), (F(1), "teaspoon")]


@pytest.mark.parametrize(("servings_from", "servings_to"), [(0, 4), (4, 0), (4, -1)])
def test_servings_must_be_positive(servings_from: int, servings_to: int) -> None:
    with pytest.raises(Invalid, match="more than zero"):
        scale_factor(servings_from, servings_to)


def test_scale_lines() -> None:
    lines = scale_lines([parse_ingredient("2 tbsp oil")], 2, 3)
    assert lines[0].display == "3 tbsp oil"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("6 bowls", F(6)), ("4-6 servings", F(4)), ("8", F(8)), ("serves many", None), (None, None)],
)
def test_servings_from_yield(text: str | None, expected: Fraction | None) -> None:
    assert servings_from_yield(text) == expected


def scale_step(grams: Fraction) -> Fraction:
    """What a kitchen scale shows, written out independently of the code under test."""
    for limit, step in ((1, F(1, 10)), (10, F(1)), (250, F(5)), (10000, F(10)), (100000, F(100))):
        if grams < limit:
            return step
    return F(1000)


@given(
    grams=st.integers(min_value=1, max_value=20000),
    servings=st.integers(min_value=1, max_value=50),
    target=st.integers(min_value=1, max_value=50),
)
def test_metric_scaling_stays_close(grams: int, servings: int, target: int) -> None:
    recipe = ScalableRecipe(F(servings), (parse_ingredient(f"{grams} g rice"),))
    scaled = scale_recipe(recipe, target)[0]
    exact = F(grams * target, servings)
    assert scaled.quantity is not None
    assert scaled.unit in {"gram", "kilogram", "milligram"}
    shown = scaled.quantity * factor(scaled.unit or "gram", "gram")
    assert abs(shown - exact) <= max(scale_step(exact), scale_step(shown)) / 2


@given(
    tsp=st.integers(min_value=1, max_value=200),
    target=st.integers(min_value=1, max_value=24),
)
def test_spoon_scaling_stays_close(tsp: int, target: int) -> None:
    recipe = ScalableRecipe(F(4), (parse_ingredient(f"{tsp} tsp sugar"),))
    scaled = scale_recipe(recipe, target)[0]
    exact = F(tsp * target, 4)
    assert scaled.quantity is not None
    assert scaled.unit is not None
    shown = scaled.quantity * factor(scaled.unit, "teaspoon")
    assert abs(shown - exact) <= max(exact / 8, F(1, 16))


def test_decimal_sign_for_the_reader() -> None:
    assert format_number(F(3, 2), "kilogram", decimal=",") == "1,5"
    assert format_amount(F(3, 2), F(5, 2), "litre", decimal=",") == "1,5–2,5 l"
    assert format_amount(F(3, 2), None, "cup", decimal=",") == "1 ½ cups"

"""Shopping list over several (recipe, servings) pairs: merging foods across units."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from commonpot.recipes.conversion import factor
from commonpot.recipes.ingredients import parse_ingredient, parse_ingredients
from commonpot.recipes.scaling import ScalableRecipe
from commonpot.recipes.shopping import ShoppingLine, shopping_list

F = Fraction


def _recipe(name: str, servings: int, *lines: str) -> ScalableRecipe:
    return ScalableRecipe(F(servings), tuple(parse_ingredients(list(lines))), name)


def _by_display(lines: list[ShoppingLine]) -> dict[str, ShoppingLine]:
    return {line.display: line for line in lines}


def test_same_unit_adds_up_after_scaling() -> None:
    bread = _recipe("Bread", 4, "2 cups flour", "1 tsp salt")
    cake = _recipe("Cake", 8, "2 cups flour")
    lines = shopping_list([(bread, 8), (cake, 8)])
    assert [line.display for line in lines] == ["6 cups flour", "2 tsp salt"]
    assert lines[0].recipes == ("Bread", "Cake")
    assert lines[1].recipes == ("Bread",)


def test_plural_singular_and_case_merge() -> None:
    a = _recipe("A", 2, "2 Onions, chopped", "1 Tomato")
    b = _recipe("B", 2, "1 onion", "3 tomatoes")
    lines = shopping_list([(a, 2), (b, 2)])
    assert [(line.food, line.quantity) for line in lines] == [("onions", 3), ("tomato", 4)]


def test_spoons_merge_and_tidy() -> None:
    a = _recipe("A", 1, "1 tsp cumin")
    b = _recipe("B", 1, "2 tbsp cumin")
    lines = shopping_list([(a, 1), (b, 1)])
    assert len(lines) == 1
    assert lines[0].display == "2 ⅓ tbsp cumin"


def test_metric_weights_merge_into_kilograms() -> None:
    a = _recipe("A", 4, "750 g potatoes")
    b = _recipe("B", 4, "1 kg potatoes")
    lines = shopping_list([(a, 4), (b, 4)])
    assert lines[0].display == "1.75 kg potatoes"
    assert lines[0].unit == "kilogram"


def test_weight_and_volume_merge_with_density() -> None:
    a = _recipe("A", 1, "1 cup sugar")
    b = _recipe("B", 1, "100 g sugar")
    (line,) = shopping_list([(a, 1), (b, 1)])
    # 1 cup sugar = 236.6 ml x 0.845 g/ml = 200 g; 100 g = ½ cup
    assert line.unit == "cup"
    assert line.quantity == F(3, 2)
    assert line.note is None


def test_weight_and_volume_kept_apart_without_density() -> None:
    a = _recipe("A", 1, "1 cup kale")
    b = _recipe("B", 1, "100 g kale")
    lines = shopping_list([(a, 1), (b, 1)])
    assert [line.display for line in lines] == ["1 cup kale", "100 g kale"]
    assert all(line.note and "no density" in line.note for line in lines)


def test_count_units_are_separate_lines_with_a_note() -> None:
    a = _recipe("A", 1, "3 cloves garlic")
    b = _recipe("B", 1, "1 head garlic")
    lines = shopping_list([(a, 1), (b, 1)])
    assert [line.display for line in lines] == ["3 cloves garlic", "1 head garlic"]
    assert lines[0].note == "also listed in heads: units cannot be added"
    assert lines[1].note == "also listed in cloves: units cannot be added"


def test_ranges_add_up() -> None:
    a = _recipe("A", 1, "2-3 cloves garlic")
    b = _recipe("B", 1, "2 cloves garlic")
    (line,) = shopping_list([(a, 1), (b, 1)])
    assert (line.quantity, line.quantity_max) == (4, 5)
    assert line.display == "4–5 cloves garlic"


def test_to_taste_only_when_no_amount_elsewhere() -> None:
    a = _recipe("A", 1, "salt to taste", "pepper to taste")
    b = _recipe("B", 1, "1 tsp salt")
    lines = _by_display(shopping_list([(a, 1), (b, 1)]))
    assert set(lines) == {"1 tsp salt", "pepper"}
    assert lines["pepper"].quantity is None
    assert lines["pepper"].note == "to taste"


def test_bare_counts() -> None:
    a = _recipe("A", 2, "3 eggs")
    (line,) = shopping_list([(a, 6)])
    assert line.display == "9 eggs"
    assert line.unit is None


def test_empty_plan() -> None:
    assert shopping_list([]) == []


@given(
    amounts=st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=8),
    servings=st.integers(min_value=1, max_value=12),
)
def test_total_grams_match_sum(amounts: list[int], servings: int) -> None:
    plan = [
        (ScalableRecipe(F(4), (parse_ingredient(f"{g} g lentils"),), f"R{i}"), servings)
        for i, g in enumerate(amounts)
    ]
    (line,) = shopping_list(plan)
    assert line.quantity is not None
    assert line.unit is not None
    grams = line.quantity * factor(line.unit, "gram")
    exact = F(sum(amounts) * servings, 4)
    # display rounding: half a kitchen-scale step (5 g under 250 g, 10 g to 10 kg, then 100 g)
    sizes = ((10, F(1)), (250, F(5)), (10000, F(10)), (100000, F(100)))
    step = next((size for lim, size in sizes if max(exact, grams) < lim), F(1000))
    assert abs(grams - exact) <= step / 2
    assert len(line.recipes) == len(amounts)

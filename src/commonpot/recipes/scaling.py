"""Scale a parsed recipe to N servings and write amounts the way cooks read them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from commonpot.errors import Invalid
from commonpot.recipes.conversion import factor
from commonpot.recipes.ingredients import VULGAR, ParsedIngredient
from commonpot.recipes.units import SHORT_WORDS, UnitKind, unit_in_words, unit_kind

# Families a quantity may move within for display, smallest first, with the least amount each
# unit is used for ("¼ cup" reads better than "4 tbsp"; "1 ½ tsp" better than "½ tbsp").
FAMILIES: tuple[tuple[tuple[str, Fraction], ...], ...] = (
    (
        ("pinch", Fraction(0)),
        ("teaspoon", Fraction(1, 8)),
        ("tablespoon", Fraction(1)),
        ("cup", Fraction(1, 4)),
    ),
    (("milligram", Fraction(0)), ("gram", Fraction(1)), ("kilogram", Fraction(1))),
    (
        ("millilitre", Fraction(0)),
        ("centilitre", Fraction(10**9)),
        ("decilitre", Fraction(10**9)),
        ("litre", Fraction(1)),
    ),
    (("ounce", Fraction(0)), ("pound", Fraction(1))),
)
METRIC = frozenset(
    {"gram", "kilogram", "milligram", "millilitre", "centilitre", "decilitre", "litre"}
)
SHORT = {
    "teaspoon": "tsp",
    "tablespoon": "tbsp",
    "gram": "g",
    "kilogram": "kg",
    "milligram": "mg",
    "millilitre": "ml",
    "centilitre": "cl",
    "decilitre": "dl",
    "litre": "l",
    "ounce": "oz",
    "pound": "lb",
    "fluid_ounce": "fl oz",
}
TINY = frozenset({"pinch", "dash", "drop"})
_FRACTION_GRID = (1, 2, 3, 4, 8)
_VULGAR_TEXT = {value: glyph for glyph, value in VULGAR.items()}


@dataclass(frozen=True)
class ScalableRecipe:
    """A recipe as scaling needs it: how many it serves and its parsed ingredient lines."""

    servings: Fraction
    ingredients: tuple[ParsedIngredient, ...]
    name: str = ""


@dataclass(frozen=True)
class ScaledIngredient:
    """An ingredient after scaling, with amounts in tidy units and a line ready to show."""

    source: ParsedIngredient
    quantity: Fraction | None
    quantity_max: Fraction | None
    unit: str | None
    display: str


def servings_from_yield(recipe_yield: str | None) -> Fraction | None:
    """Read the servings count from a yield such as "6 bowls", "4-6 servings" or "8"."""
    if not recipe_yield:
        return None
    match = re.search(r"[0-9]+(?:[.,][0-9]+)?", recipe_yield)
    if not match or len(match.group()) > 9:  # nobody serves a billion people
        return None
    value = Fraction(match.group().replace(",", "."))
    return value if value > 0 else None


def scale_factor(servings_from: Fraction | int, servings_to: Fraction | int) -> Fraction:
    """Return the multiplier from one number of servings to another; both must be positive."""
    if servings_from <= 0:
        raise Invalid("the recipe's servings must be more than zero", field="servings")
    if servings_to <= 0:
        raise Invalid("servings must be more than zero", field="servings")
    return Fraction(servings_to) / Fraction(servings_from)


def _unit_choices(quantity: Fraction, unit: str) -> list[str]:
    """Units of the amount's family that read well, best first, then the smaller ones."""
    for family in FAMILIES:
        names = [name for name, _least in family]
        if unit not in names:
            continue
        fitting = [
            name
            for i, (name, least) in enumerate(family)
            if i == 0 or quantity * factor(unit, name) >= least
        ]
        best = fitting[-1]
        return [best] + [
            n for n in reversed(names[: names.index(best)]) if n in fitting or n == names[0]
        ]
    return [unit]


def tidy_unit(quantity: Fraction, unit: str | None) -> tuple[Fraction, str | None]:
    """Move an amount to its family's best-reading unit: 6 tsp -> 2 tbsp, 1500 g -> 1.5 kg."""
    if unit is None:
        return quantity, unit
    best = _unit_choices(quantity, unit)[0]
    return quantity * factor(unit, best), best


# (below this amount, round to this step): what kitchen scales and jugs show -- tenths of a
# gram for a pinch of saffron, whole grams under 10 g, 5 g steps under 250 g (125 g is a cup
# of flour), 10 g steps to a kilogram; kilograms and litres to 10 g / 10 ml, then 100 g
_LARGE_STEPS = ((10, Fraction(1, 100)), (100, Fraction(1, 10)))
_SMALL_STEPS = ((1, Fraction(1, 10)), (10, Fraction(1)), (250, Fraction(5)))
# cooks' measures: a set of cups and spoons has halves, thirds and quarters (and ⅛ teaspoon)
SPOONS = frozenset({"teaspoon", "tablespoon", "cup", "fluid_ounce"})
_SPOON_GRID = (1, 2, 3, 4)
_OUNCE_GRID = (1, 2, 4)


def _round_metric(quantity: Fraction, unit: str) -> Fraction:
    large = unit in {"kilogram", "litre"}
    steps = _LARGE_STEPS if large else _SMALL_STEPS
    step = next(
        (s for limit, s in steps if quantity < limit), Fraction(1) if large else Fraction(10)
    )
    return _half_up(quantity / step) * step or step


def _half_up(value: Fraction) -> int:
    """Round halves up (2 ½ onions -> 3): a cook would rather have one more than one short."""
    return int((value + Fraction(1, 2)) // 1)


def _round_grid(quantity: Fraction, grid: tuple[int, ...]) -> Fraction:
    best = min(
        (Fraction(_half_up(quantity * d), d) for d in grid),
        key=lambda f: (abs(f - quantity), f.denominator),
    )
    return best if best > 0 else Fraction(1, max(grid))


def round_whole(quantity: Fraction) -> Fraction:
    """Whole items for countables (eggs, onions, cloves): halves up; under one, ½ or 1."""
    if quantity <= 0:
        return Fraction(0)
    if quantity < 1:
        return Fraction(1, 2) if quantity < Fraction(3, 4) else Fraction(1)
    return Fraction(_half_up(quantity))


def _grid_for(quantity: Fraction, unit: str | None) -> tuple[int, ...] | None:
    """The fractions a cook's measure has for this unit; None for whole countable items."""
    if unit in SPOONS:
        small_tsp = unit == "teaspoon" and quantity < Fraction(1, 2)
        return (*_SPOON_GRID, 8) if small_tsp else _SPOON_GRID
    if unit in {"ounce", "pound"}:
        return _OUNCE_GRID
    if unit is None or unit_kind(unit) is UnitKind.COUNT:
        return None
    return _FRACTION_GRID


def round_for_display(quantity: Fraction, unit: str | None) -> Fraction:
    """Round to what a cook can measure.

    Countable items (no unit, or cloves, cans, tablets...) come whole (½ when less than one);
    pinches, dashes and drops whole, at least one; spoons and cups to halves, thirds and
    quarters (⅛ teaspoon below half a teaspoon); ounces and pounds to quarters; metric
    amounts to the steps of kitchen scales (see `_SMALL_STEPS`).
    """
    if quantity <= 0:
        return Fraction(0)
    if unit in METRIC:
        return _round_metric(quantity, unit)
    if unit in TINY:
        return max(Fraction(_half_up(quantity)), Fraction(1))
    grid = _grid_for(quantity, unit)
    return round_whole(quantity) if grid is None else _round_grid(quantity, grid)


def format_number(value: Fraction, unit: str | None = None, decimal: str = ".") -> str:
    """Write a number: "1 ½" for cooks' units, "1.5" (or "1,5", per `decimal`) for metric."""
    if value.denominator == 1:
        return str(value.numerator)
    if unit in METRIC or value.denominator not in _FRACTION_GRID:
        return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", decimal)
    whole, part = divmod(value, 1)
    glyph = _VULGAR_TEXT.get(part, f"{part.numerator}/{part.denominator}")
    return f"{whole} {glyph}" if whole else glyph


def format_amount(
    quantity: Fraction,
    quantity_max: Fraction | None,
    unit: str | None,
    decimal: str = ".",
    gettext: Callable[[str], str] | None = None,
) -> str:
    """Write an amount with its unit: "1 ½ cups", "250 g", "2–3 cloves", "3"; with the
    reader's `decimal` sign and, given their `gettext`, their unit words ("1 ½ tazas")."""
    number = format_number(quantity, unit, decimal)
    if quantity_max is not None and quantity_max != quantity:
        number = f"{number}–{format_number(quantity_max, unit, decimal)}"
    if unit is None:
        return number
    if unit in SHORT:
        short = SHORT[unit]
        if gettext is not None and unit in SHORT_WORDS:
            short = gettext(SHORT_WORDS[unit])
        return f"{number} {short}"
    plural = (quantity_max or quantity) > 1
    return f"{number} {unit_in_words(unit, plural, gettext)}"


def present(
    quantity: Fraction, quantity_max: Fraction | None, unit: str | None
) -> tuple[Fraction, Fraction | None, str | None]:
    """Pick a unit and round both ends of an amount for display, within 10% where possible."""
    if unit is None:
        low = round_for_display(quantity, None)
        high = round_for_display(quantity_max, None) if quantity_max is not None else None
        return low, (high if high != low else None), None
    chosen: tuple[Fraction, str] | None = None
    for candidate in _unit_choices(quantity, unit):
        exact = quantity * factor(unit, candidate)
        low = round_for_display(exact, candidate)
        error = abs(low - exact) / exact if exact else Fraction(0)
        if chosen is None or error <= Fraction(1, 10):
            chosen = (low, candidate)
        if error <= Fraction(1, 10):
            break
    assert chosen is not None
    low, new_unit = chosen
    high = None
    if quantity_max is not None:
        high = round_for_display(quantity_max * factor(unit, new_unit), new_unit)
    if new_unit in TINY and low < 1:
        low = Fraction(1)  # nobody measures a quarter of a pinch
        high = max(high, low) if high is not None else None
    return low, (high if high != low else None), new_unit


def scaled_text(
    item: ScaledIngredient, decimal: str = ".", gettext: Callable[[str], str] | None = None
) -> str:
    """The scaled line for a reader whose locale writes decimals with `decimal` (and units
    in the words of `gettext`)."""
    if item.quantity is None:
        return item.display
    amount = format_amount(item.quantity, item.quantity_max, item.unit, decimal, gettext)
    return _line(amount, item.source.food, item.source.note)


def _line(amount: str, food: str, note: str | None) -> str:
    text = f"{amount} {food}".strip() if amount else food
    return f"{text}, {note}" if note else text


def scale_ingredient(item: ParsedIngredient, multiplier: Fraction) -> ScaledIngredient:
    """Scale one parsed line; lines without an amount ("salt to taste") stay as they are."""
    if item.quantity is None:
        return ScaledIngredient(item, None, None, item.unit, item.original.strip())
    low = item.quantity * multiplier
    high = item.quantity_max * multiplier if item.quantity_max is not None else None
    if multiplier == 1:  # the recipe as written: no rounding of what its author chose
        unit = item.unit
    elif unit_kind(item.unit) is UnitKind.COUNT or item.unit is None:
        low, high = (
            round_whole(low),
            (round_whole(high) if high is not None else None),
        )
        high = high if high != low else None
        unit = item.unit
    else:
        low, high, unit = present(low, high, item.unit)
    return ScaledIngredient(
        source=item,
        quantity=low,
        quantity_max=high,
        unit=unit,
        display=_line(format_amount(low, high, unit), item.food, item.note),
    )


def scale_recipe(recipe: ScalableRecipe, servings: Fraction | int) -> list[ScaledIngredient]:
    """Scale every ingredient of a recipe to `servings`, keeping their order."""
    multiplier = scale_factor(recipe.servings, servings)
    return [scale_ingredient(item, multiplier) for item in recipe.ingredients]


def scale_lines(
    lines: Sequence[ParsedIngredient], servings_from: Fraction | int, servings_to: Fraction | int
) -> list[ScaledIngredient]:
    """Scale parsed lines from one number of servings to another."""
    multiplier = scale_factor(servings_from, servings_to)
    return [scale_ingredient(item, multiplier) for item in lines]

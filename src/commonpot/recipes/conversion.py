"""Unit conversion for cooking, on pint: volume, mass, counts, and per-food densities."""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cache
from typing import Any

from commonpot.errors import Invalid
from commonpot.recipes.units import UNITS, UnitKind, unit_kind

# canonical unit -> pint expression. Pint's own "pinch" is a typographic length, so the cooking
# measures get their own names; each count unit is its own dimension, so cloves never add to cans.
PINT_NAMES: dict[str, str] = {
    "gram": "gram",
    "kilogram": "kilogram",
    "milligram": "milligram",
    "ounce": "avoirdupois_ounce",
    "pound": "avoirdupois_pound",
    "millilitre": "milliliter",
    "centilitre": "centiliter",
    "decilitre": "deciliter",
    "litre": "liter",
    "teaspoon": "teaspoon",
    "tablespoon": "tablespoon",
    "cup": "cup",
    "fluid_ounce": "fluid_ounce",
    "pint": "liquid_pint",
    "quart": "liquid_quart",
    "gallon": "liquid_gallon",
    "pinch": "cooking_pinch",
    "dash": "cooking_dash",
    "drop": "cooking_drop",
}
_DEFINITIONS = (
    "cooking_pinch = teaspoon / 16",
    "cooking_dash = teaspoon / 8",
    "cooking_drop = 0.05 * milliliter",
)

# grams per millilitre, by the food's head noun (last words), for volume <-> weight
DENSITIES: dict[str, Fraction] = {
    "water": Fraction(1),
    "stock": Fraction(1),
    "broth": Fraction(1),
    "milk": Fraction("1.03"),
    "buttermilk": Fraction("1.03"),
    "cream": Fraction("0.99"),
    "yogurt": Fraction("1.03"),
    "yoghurt": Fraction("1.03"),
    "flour": Fraction("0.53"),
    "sugar": Fraction("0.845"),
    "brown sugar": Fraction("0.93"),
    "powdered sugar": Fraction("0.51"),
    "icing sugar": Fraction("0.51"),
    "rice": Fraction("0.78"),
    "butter": Fraction("0.96"),
    "oil": Fraction("0.92"),
    "olive oil": Fraction("0.91"),
    "salt": Fraction("1.2"),
    "honey": Fraction("1.42"),
    "maple syrup": Fraction("1.32"),
    "oat": Fraction("0.38"),
    "rolled oat": Fraction("0.38"),
    "cornmeal": Fraction("0.6"),
    "cocoa": Fraction("0.36"),
    "cocoa powder": Fraction("0.36"),
    "lentil": Fraction("0.82"),
}


@cache
def registry() -> Any:
    """Return the shared pint registry with the cooking definitions (built on first use)."""
    import pint

    ureg: Any = pint.UnitRegistry()
    for definition in _DEFINITIONS:
        ureg.define(definition)
    for name, (kind, _spellings) in UNITS.items():
        if kind is UnitKind.COUNT:
            ureg.define(f"count_{name} = [count_{name}]")
    return ureg


def _pint_name(unit: str) -> str:
    if unit_kind(unit) is UnitKind.COUNT:
        return f"count_{unit}"
    if unit not in PINT_NAMES:
        raise Invalid("unknown unit %(unit)s", field="unit", unit=repr(unit))
    return PINT_NAMES[unit]


@cache
def factor(from_unit: str, to_unit: str) -> Fraction:
    """Return how many `to_unit` make one `from_unit`, within one kind (volume, mass, count)."""
    if from_unit == to_unit:
        return Fraction(1)
    ureg = registry()
    source, target = _pint_name(from_unit), _pint_name(to_unit)
    quantity = ureg.Quantity(1, source)
    if not quantity.is_compatible_with(target):
        raise Invalid(
            "cannot convert %(source)s to %(target)s",
            field="unit",
            source=from_unit,
            target=to_unit,
        )
    return Fraction(quantity.to(target).magnitude).limit_denominator(1_000_000)


def food_key(food: str) -> str:
    """Normalise a food name for matching: lower case, plain spaces, last word singular."""
    words = re.sub(r"[^\w\s-]", " ", food.lower()).split()
    if not words:
        return ""
    words[-1] = singular(words[-1])
    return " ".join(words)


_UNINFLECTED = frozenset(
    {"molasses", "couscous", "hummus", "asparagus", "citrus", "swiss", "grits", "series", "species"}
)
_IRREGULAR = {"leaves": "leaf", "loaves": "loaf", "halves": "half", "knives": "knife"}


def singular(word: str) -> str:
    """Return a rough English singular: tomatoes -> tomato, berries -> berry, eggs -> egg."""
    if word in _UNINFLECTED or len(word) < 4:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("oes", "ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def density(food: str) -> Fraction | None:
    """Grams per millilitre for a food, matched on its last words ("wild rice" -> rice)."""
    words = food_key(food).split()
    for size in range(min(3, len(words)), 0, -1):
        key = " ".join(words[-size:])
        if key in DENSITIES:
            return DENSITIES[key]
    return None


def convert(quantity: Fraction, from_unit: str, to_unit: str, food: str | None = None) -> Fraction:
    """Convert an amount; weight <-> volume only with a known density for `food`, else Invalid."""
    from_kind, to_kind = unit_kind(from_unit), unit_kind(to_unit)
    if from_kind == to_kind:
        return quantity * factor(from_unit, to_unit)
    if {from_kind, to_kind} == {UnitKind.MASS, UnitKind.VOLUME}:
        grams_per_ml = density(food or "")
        if grams_per_ml is None:
            if not food:
                raise Invalid(
                    "cannot convert %(source)s to %(target)s for this food: no density is known",
                    field="unit",
                    source=from_unit,
                    target=to_unit,
                )
            raise Invalid(
                "cannot convert %(source)s to %(target)s for %(food)s: no density is known",
                field="unit",
                source=from_unit,
                target=to_unit,
                food=food,
            )
        if from_kind is UnitKind.VOLUME:
            grams = quantity * factor(from_unit, "millilitre") * grams_per_ml
            return grams * factor("gram", to_unit)
        millilitres = quantity * factor(from_unit, "gram") / grams_per_ml
        return millilitres * factor("millilitre", to_unit)
    raise Invalid(
        "cannot convert %(source)s to %(target)s",
        field="unit",
        source=from_unit,
        target=to_unit,
    )

"""From a shopping list to needs one can give: skip staples, round up, one need per food.

A menu scaled to a head count asks for "⅛ plantain", "2 tsp salt" and "1.3 l water"; the
network should be asked for what people can actually bring. This pure function turns
shopping lines (food, amount, recipe unit) into need drafts:

- foods on the community's pantry-staples list (water, salt, oil... editable by stewards)
  are skipped, matched on the food's words ("sea salt", "olive oil");
- amounts are rounded up to what one buys or gives: mass to 250 g steps below a kilo and to
  whole kilograms above, volume to whole litres, spoonfuls and pinches to one jar, counted
  things to whole pieces, bunches, cans...;
- lines of the same food (case, plural "s") become one need, amounts added in a common unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

DEFAULT_STAPLES = (
    "water",
    "salt",
    "pepper",
    "black pepper",
    "oil",
    "olive oil",
    "vegetable oil",
    "sugar",
    "flour",
    "vinegar",
    "baking powder",
    "baking soda",
    "ice",
)
GRAMS: dict[str, Fraction] = {
    "gram": Fraction(1),
    "kilogram": Fraction(1000),
    "milligram": Fraction(1, 1000),
    "ounce": Fraction(28349, 1000),
    "pound": Fraction(45359, 100),
}
MILLILITRES: dict[str, Fraction] = {
    "millilitre": Fraction(1),
    "centilitre": Fraction(10),
    "decilitre": Fraction(100),
    "litre": Fraction(1000),
    "cup": Fraction(240),
    "fluid_ounce": Fraction(2957, 100),
    "pint": Fraction(4732, 10),
    "quart": Fraction(9464, 10),
    "gallon": Fraction(37854, 10),
}
SPOONS = {"teaspoon", "tablespoon", "pinch", "dash", "drop"}
COUNTED = {
    "bunch": "bunches",
    "can": "pieces",
    "jar": "jars",
    "bottle": "bottles",
    "package": "boxes",
    "bag": "bags",
    "box": "boxes",
    "head": "pieces",
}


@dataclass
class NeedDraft:
    """A need to post: food, amount in a network unit, and the shopping lines behind it."""

    category: str
    quantity: int
    unit: str
    lines: list[str] = field(default_factory=list)


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in text.lower().replace(",", " ").split()}


def is_staple(food: str, staples: list[str] | tuple[str, ...]) -> bool:
    """Is the food a pantry staple (every word of some staple is among the food's words)?"""
    words = _words(food)
    return any(_words(s) and _words(s) <= words for s in staples)


def _key(food: str) -> str:
    name = " ".join(food.lower().split())[:60]
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


@dataclass
class _Totals:
    grams: dict[str, Fraction] = field(default_factory=dict)
    mls: dict[str, Fraction] = field(default_factory=dict)
    counts: dict[tuple[str, str], Fraction] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)
    behind: dict[str, list[str]] = field(default_factory=dict)


def _add(totals: _Totals, food: str, amount: Fraction | float | None, unit: str | None) -> None:
    key = _key(food)
    totals.shown.setdefault(key, " ".join(food.lower().split())[:60])
    totals.behind.setdefault(key, []).append(food)
    qty = Fraction(amount).limit_denominator(1000) if amount is not None else Fraction(1)
    if unit in GRAMS:
        totals.grams[key] = totals.grams.get(key, Fraction(0)) + qty * GRAMS[unit]
    elif unit in MILLILITRES:
        totals.mls[key] = totals.mls.get(key, Fraction(0)) + qty * MILLILITRES[unit]
    elif unit in SPOONS:  # a spoonful of something: one jar of it
        totals.counts[(key, "jars")] = Fraction(1)
    else:
        out_unit = COUNTED.get(unit or "", "pieces")
        totals.counts[(key, out_unit)] = totals.counts.get((key, out_unit), Fraction(0)) + qty


def needs_from_lines(
    lines: Sequence[tuple[str, Fraction | float | None, str | None]],
    staples: list[str] | tuple[str, ...] = DEFAULT_STAPLES,
) -> list[NeedDraft]:
    """Need drafts for (food, amount, recipe unit) lines, in the lines' order."""
    totals = _Totals()
    for food, amount, unit in lines:
        if food.strip() and not is_staple(food, staples):
            _add(totals, food, amount, unit)
    drafts: list[NeedDraft] = []
    for key, name in totals.shown.items():
        made = []
        if key in totals.grams:
            g = totals.grams[key]
            if g < 1000:
                made.append(NeedDraft(name, max(250, math.ceil(g / 250) * 250), "g"))
            else:
                made.append(NeedDraft(name, math.ceil(g / 1000), "kg"))
        if key in totals.mls:
            made.append(NeedDraft(name, max(1, math.ceil(totals.mls[key] / 1000)), "litres"))
        for (k, out_unit), n in totals.counts.items():
            if k == key:
                made.append(NeedDraft(name, max(1, math.ceil(n)), out_unit))
        for draft in made:
            draft.lines = totals.behind[key]
        drafts.extend(made)
    return drafts

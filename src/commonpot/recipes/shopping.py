"""One shopping list for several recipes at chosen servings, the same food merged across units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from commonpot.errors import Invalid
from commonpot.recipes.conversion import convert, density, food_key, singular
from commonpot.recipes.ingredients import ParsedIngredient
from commonpot.recipes.scaling import (
    ScalableRecipe,
    format_amount,
    present,
    round_for_display,
    scale_factor,
)
from commonpot.recipes.units import UnitKind, unit_kind, unit_label


@dataclass(frozen=True)
class ShoppingLine:
    """One thing to buy: total amount (a range when any recipe gave one), unit and where from."""

    food: str
    quantity: Fraction | None
    quantity_max: Fraction | None
    unit: str | None
    display: str
    note: str | None = None
    recipes: tuple[str, ...] = ()


@dataclass
class _Bucket:
    unit: str | None
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)
    ranged: bool = False
    recipes: list[str] = field(default_factory=list)

    def add(self, low: Fraction, high: Fraction | None, recipe: str) -> None:
        self.low += low
        self.high += high if high is not None else low
        self.ranged = self.ranged or high is not None
        if recipe and recipe not in self.recipes:
            self.recipes.append(recipe)


@dataclass
class _Food:
    name: str
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    unquantified: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recipes: list[str] = field(default_factory=list)
    spellings: list[str] = field(default_factory=list)


def _bucket_key(unit: str | None) -> str:
    kind = unit_kind(unit)
    if kind is None:
        return "each"
    if kind is UnitKind.COUNT:
        return f"count:{unit}"
    return kind.value


def _add(entry: _Food, item: ParsedIngredient, multiplier: Fraction, recipe: str) -> None:
    if recipe and recipe not in entry.recipes:
        entry.recipes.append(recipe)
    if item.quantity is None:
        if item.note and item.note not in entry.unquantified:
            entry.unquantified.append(item.note)
        return
    key = _bucket_key(item.unit)
    bucket = entry.buckets.setdefault(key, _Bucket(unit=item.unit))
    low = item.quantity * multiplier
    high = item.quantity_max * multiplier if item.quantity_max is not None else None
    if bucket.unit != item.unit and bucket.unit is not None and item.unit is not None:
        low = convert(low, item.unit, bucket.unit)
        high = convert(high, item.unit, bucket.unit) if high is not None else None
    bucket.add(low, high, recipe)


def _merge_weight_and_volume(entry: _Food) -> None:
    """Fold volume into weight (or the reverse, whichever came first) when a density is known."""
    if "mass" not in entry.buckets or "volume" not in entry.buckets:
        return
    if density(entry.name) is None:
        entry.notes.append("kept apart: no density known to add weight and volume")
        return
    keys = list(entry.buckets)
    into, out = (
        ("mass", "volume") if keys.index("mass") < keys.index("volume") else ("volume", "mass")
    )
    target, source = entry.buckets[into], entry.buckets.pop(out)
    assert target.unit is not None
    assert source.unit is not None
    target.low += convert(source.low, source.unit, target.unit, entry.name)
    target.high += convert(source.high, source.unit, target.unit, entry.name)
    target.ranged = target.ranged or source.ranged
    target.recipes.extend(r for r in source.recipes if r not in target.recipes)


def _lines(entry: _Food) -> list[ShoppingLine]:
    if not entry.buckets:
        note = "; ".join(entry.unquantified) or None
        return [ShoppingLine(entry.name, None, None, None, entry.name, note, tuple(entry.recipes))]
    separate = len(entry.buckets) > 1
    lines: list[ShoppingLine] = []
    for bucket in entry.buckets.values():
        high = bucket.high if bucket.ranged else None
        if unit_kind(bucket.unit) in {UnitKind.MASS, UnitKind.VOLUME}:
            low, high, unit = present(bucket.low, high, bucket.unit)
        else:
            unit = bucket.unit
            low = round_for_display(bucket.low, unit)
            high = round_for_display(high, unit) if high is not None else None
            high = high if high != low else None
        notes = list(entry.notes)
        if separate and not entry.notes:
            others = [
                unit_label(b.unit, plural=True) if b.unit else "items"
                for b in entry.buckets.values()
                if b is not bucket
            ]
            notes.append("also listed in " + ", ".join(others) + ": units cannot be added")
        display = f"{format_amount(low, high, unit)} {entry.name}"
        lines.append(
            ShoppingLine(
                food=entry.name,
                quantity=low,
                quantity_max=high,
                unit=unit,
                display=display,
                note="; ".join(notes) or None,
                recipes=tuple(bucket.recipes),
            )
        )
    return lines


def _shopping_key(food: str) -> str:
    """Every word singular, so "chiles ancho" and "chile ancho" are bought once.

    (Stored ingredient keys, `conversion.food_key`, singularise the last word only; this key
    lives only while a list is built.)
    """
    return " ".join(singular(word) for word in food_key(food).split())


def display_name(spellings: Sequence[str]) -> str:
    """The food's name as the recipes write it, keeping proper nouns' case.

    The first spelling is kept, except that a word some recipe writes in lower case
    ("Onions" beside "onion") or that is shouted in capitals ("RED ONIONS") is lowered;
    "Mexican chocolate" stays "Mexican chocolate".
    """
    lowered = {
        singular(word)
        for spelling in spellings
        for word in spelling.split()
        if word == word.lower()
    }
    words = []
    for word in spellings[0].split():
        plain = word.lower()
        shouted = len(word) > 1 and word.isupper()
        words.append(plain if shouted or singular(plain) in lowered else word)
    return " ".join(words)


def shopping_list(
    plan: Sequence[tuple[ScalableRecipe, Fraction | int]],
) -> list[ShoppingLine]:
    """Aggregate ingredients of several (recipe, servings) pairs into one ordered shopping list."""
    foods: dict[str, _Food] = {}
    for recipe, servings in plan:
        multiplier = scale_factor(recipe.servings, servings)
        for item in recipe.ingredients:
            key = _shopping_key(item.food)
            if not key:
                continue
            entry = foods.setdefault(key, _Food(name=item.food.strip()))
            entry.spellings.append(item.food.strip())
            try:
                _add(entry, item, multiplier, recipe.name)
            except Invalid:  # pragma: no cover - same-kind units always convert
                continue
    lines: list[ShoppingLine] = []
    for entry in foods.values():
        entry.name = display_name(entry.spellings or [entry.name])
        _merge_weight_and_volume(entry)
        lines.extend(_lines(entry))
    return lines


def line_text(
    line: ShoppingLine, decimal: str = ".", gettext: Callable[[str], str] | None = None
) -> str:
    """The shopping line for a reader whose locale writes decimals with `decimal` (and units
    in the words of `gettext`)."""
    if line.quantity is None:
        return line.display
    amount = format_amount(line.quantity, line.quantity_max, line.unit, decimal, gettext)
    return f"{amount} {line.food}"

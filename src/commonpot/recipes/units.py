"""Cooking units: the words people write, their canonical names, and what kind of amount each is."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from commonpot.errors import N_


class UnitKind(StrEnum):
    """What a unit measures: mass, volume, or a count of things of its own sort."""

    MASS = "mass"
    VOLUME = "volume"
    COUNT = "count"


# canonical name -> (kind, spellings). Spellings are matched case-insensitively, except the
# single letters in CASE_SENSITIVE where "T" (tablespoon) and "t" (teaspoon) differ.
UNITS: dict[str, tuple[UnitKind, tuple[str, ...]]] = {
    "gram": (UnitKind.MASS, ("g", "gr", "grs", "gm", "gms", "gram", "grams", "gramme", "grammes")),
    "kilogram": (UnitKind.MASS, ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms")),
    "milligram": (UnitKind.MASS, ("mg", "milligram", "milligrams")),
    "ounce": (UnitKind.MASS, ("oz", "ozs", "ounce", "ounces")),
    "pound": (UnitKind.MASS, ("lb", "lbs", "pound", "pounds", "#")),
    "millilitre": (
        UnitKind.VOLUME,
        ("ml", "mls", "millilitre", "millilitres", "milliliter", "milliliters", "cc"),
    ),
    "centilitre": (UnitKind.VOLUME, ("cl", "centilitre", "centilitres", "centiliter")),
    "decilitre": (UnitKind.VOLUME, ("dl", "decilitre", "decilitres", "deciliter")),
    "litre": (UnitKind.VOLUME, ("l", "litre", "litres", "liter", "liters", "ltr")),
    "teaspoon": (
        UnitKind.VOLUME,
        (
            "tsp",
            "tsps",
            "ts",
            "teaspoon",
            "teaspoons",
            "teasp",
            "cucharadita",
            "cucharaditas",
        ),
    ),
    "tablespoon": (
        UnitKind.VOLUME,
        (
            "tbsp",
            "tbsps",
            "tbs",
            "tbl",
            "tbls",
            "tb",
            "tablespoon",
            "tablespoons",
            "tblsp",
            "cucharada",
            "cucharadas",
        ),
    ),
    "cup": (UnitKind.VOLUME, ("c", "cup", "cups", "taza", "tazas", "tasse", "tasses")),
    "fluid_ounce": (UnitKind.VOLUME, ("fl oz", "fl. oz", "floz", "fluid ounce", "fluid ounces")),
    "pint": (UnitKind.VOLUME, ("pt", "pts", "pint", "pints")),
    "quart": (UnitKind.VOLUME, ("qt", "qts", "quart", "quarts")),
    "gallon": (UnitKind.VOLUME, ("gal", "gals", "gallon", "gallons")),
    "pinch": (UnitKind.VOLUME, ("pinch", "pinches", "pn", "pizca", "pizcas", "pincée", "pincées")),
    "dash": (UnitKind.VOLUME, ("dash", "dashes")),
    "drop": (UnitKind.VOLUME, ("drop", "drops")),
    "clove": (UnitKind.COUNT, ("clove", "cloves", "diente", "dientes", "gousse", "gousses")),
    "bunch": (UnitKind.COUNT, ("bunch", "bunches")),
    "can": (UnitKind.COUNT, ("can", "cans", "tin", "tins", "lata", "latas", "boîte", "boîtes")),
    "jar": (UnitKind.COUNT, ("jar", "jars")),
    "bottle": (UnitKind.COUNT, ("bottle", "bottles")),
    "package": (UnitKind.COUNT, ("package", "packages", "pkg", "pkgs", "packet", "packets")),
    "bag": (UnitKind.COUNT, ("bag", "bags")),
    "box": (UnitKind.COUNT, ("box", "boxes")),
    "handful": (UnitKind.COUNT, ("handful", "handfuls")),
    "piece": (UnitKind.COUNT, ("piece", "pieces", "pc", "pcs")),
    "slice": (UnitKind.COUNT, ("slice", "slices")),
    "stick": (UnitKind.COUNT, ("stick", "sticks")),
    "sprig": (UnitKind.COUNT, ("sprig", "sprigs")),
    "stalk": (UnitKind.COUNT, ("stalk", "stalks")),
    "head": (UnitKind.COUNT, ("head", "heads")),
    "leaf": (UnitKind.COUNT, ("leaf", "leaves")),
    "sheet": (UnitKind.COUNT, ("sheet", "sheets")),
    "cube": (UnitKind.COUNT, ("cube", "cubes")),
    "knob": (UnitKind.COUNT, ("knob", "knobs")),
    "ear": (UnitKind.COUNT, ("ear", "ears")),
    # Mexican chocolate comes in tablets (tablillas), baking chocolate in bars and squares
    "tablet": (
        UnitKind.COUNT,
        ("tablet", "tablets", "tableta", "tabletas", "tablilla", "tablillas"),
    ),
    "bar": (UnitKind.COUNT, ("bar", "bars")),
    "square": (UnitKind.COUNT, ("square", "squares")),
}

# "EL"/"TL" are German Esslöffel/Teelöffel; lower-case "el" is a Spanish article.
CASE_SENSITIVE: dict[str, str] = {
    "T": "tablespoon",
    "t": "teaspoon",
    "Tb": "tablespoon",
    "EL": "tablespoon",
    "TL": "teaspoon",
}

# Containers whose size is often given just before them: "1 (14-ounce) can", "2 x 400 g tins".
CONTAINERS = frozenset({"can", "jar", "bottle", "package", "bag", "box"})

PLURALS: dict[str, str] = {
    "leaf": "leaves",
    "bunch": "bunches",
    "box": "boxes",
    "pinch": "pinches",
    "dash": "dashes",
    "fluid_ounce": "fluid ounces",
}


def _build_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, (_kind, spellings) in UNITS.items():
        for spelling in spellings:
            table[spelling.lower()] = canonical
    return table


LOOKUP: dict[str, str] = _build_lookup()
MAX_UNIT_WORDS = max(len(s.split()) for s in LOOKUP)


def unit_kind(unit: str | None) -> UnitKind | None:
    """Return the kind of a canonical unit name, or None for no unit."""
    if unit is None:
        return None
    entry = UNITS.get(unit)
    return entry[0] if entry else None


def lookup_unit(word: str) -> str | None:
    """Return the canonical unit for one spelling ("Tbsp.", "c", "grams"), or None."""
    stripped = word.rstrip(".")
    if stripped in CASE_SENSITIVE:
        return CASE_SENSITIVE[stripped]
    cleaned = stripped.lower()
    if not cleaned:
        return None
    return LOOKUP.get(cleaned) or LOOKUP.get(word.lower())


def unit_label(unit: str, plural: bool) -> str:
    """Return a readable label for a canonical unit ("cups", "tablespoon", "fluid ounces")."""
    if not plural:
        return unit.replace("_", " ")
    return PLURALS.get(unit, unit.replace("_", " ") + "s")


# each canonical unit's name as a reader sees it (msgids; pages word them in the reader's
# language, as the recipe editor's preview of the ingredient lines does)
UNIT_NAMES: dict[str, str] = {
    "gram": N_("gram"),
    "kilogram": N_("kilogram"),
    "milligram": N_("milligram"),
    "ounce": N_("ounce"),
    "pound": N_("pound"),
    "millilitre": N_("millilitre"),
    "centilitre": N_("centilitre"),
    "decilitre": N_("decilitre"),
    "litre": N_("litre"),
    "teaspoon": N_("teaspoon"),
    "tablespoon": N_("tablespoon"),
    "cup": N_("cup"),
    "fluid_ounce": N_("fluid ounce"),
    "pint": N_("pint"),
    "quart": N_("quart"),
    "gallon": N_("gallon"),
    "pinch": N_("pinch"),
    "dash": N_("dash"),
    "drop": N_("drop"),
    "clove": N_("clove"),
    "bunch": N_("bunch"),
    "can": N_("can"),
    "jar": N_("jar"),
    "bottle": N_("bottle"),
    "package": N_("package"),
    "bag": N_("bag"),
    "box": N_("box"),
    "handful": N_("handful"),
    "piece": N_("piece"),
    "slice": N_("slice"),
    "stick": N_("stick"),
    "sprig": N_("sprig"),
    "stalk": N_("stalk"),
    "head": N_("head"),
    "leaf": N_("leaf"),
    "sheet": N_("sheet"),
    "cube": N_("cube"),
    "knob": N_("knob"),
    "ear": N_("ear"),
    "tablet": N_("tablet"),
    "bar": N_("bar"),
    "square": N_("square"),
}


# each named unit's plural as a reader sees it (msgids: "2 cups" reads "2 tazas"); a plural
# of its own rather than ngettext, because the singular names above are msgids already and
# the catalog's languages count as English does (one, and more than one)
UNIT_PLURALS: dict[str, str] = {
    "gram": N_("grams"),
    "kilogram": N_("kilograms"),
    "milligram": N_("milligrams"),
    "ounce": N_("ounces"),
    "pound": N_("pounds"),
    "millilitre": N_("millilitres"),
    "centilitre": N_("centilitres"),
    "decilitre": N_("decilitres"),
    "litre": N_("litres"),
    "teaspoon": N_("teaspoons"),
    "tablespoon": N_("tablespoons"),
    "cup": N_("cups"),
    "fluid_ounce": N_("fluid ounces"),
    "pint": N_("pints"),
    "quart": N_("quarts"),
    "gallon": N_("gallons"),
    "pinch": N_("pinches"),
    "dash": N_("dashes"),
    "drop": N_("drops"),
    "clove": N_("cloves"),
    "bunch": N_("bunches"),
    "can": N_("cans"),
    "jar": N_("jars"),
    "bottle": N_("bottles"),
    "package": N_("packages"),
    "bag": N_("bags"),
    "box": N_("boxes"),
    "handful": N_("handfuls"),
    "piece": N_("pieces"),
    "slice": N_("slices"),
    "stick": N_("sticks"),
    "sprig": N_("sprigs"),
    "stalk": N_("stalks"),
    "head": N_("heads"),
    "leaf": N_("leaves"),
    "sheet": N_("sheets"),
    "cube": N_("cubes"),
    "knob": N_("knobs"),
    "ear": N_("ears"),
    "tablet": N_("tablets"),
    "bar": N_("bars"),
    "square": N_("squares"),
}
# the short forms that are words, not symbols (g, ml and kg read the same everywhere)
SHORT_WORDS: dict[str, str] = {"teaspoon": N_("tsp"), "tablespoon": N_("tbsp")}


def unit_in_words(unit: str, plural: bool, gettext: Callable[[str], str] | None) -> str:
    """A named unit's label in the reader's language ("cups", "tazas"); English without
    `gettext`."""
    english = unit_label(unit, plural)
    if gettext is None:
        return english
    msgid = (UNIT_PLURALS if plural else UNIT_NAMES).get(unit)
    return gettext(msgid) if msgid is not None else english

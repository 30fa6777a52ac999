"""Rule-based ingredient line parser: "1 ½ cups flour, sifted" -> quantity, unit, food, note."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from commonpot.parsing import MAX_NUMBER_CHARS
from commonpot.recipes.units import CONTAINERS, MAX_UNIT_WORDS, lookup_unit

VULGAR: dict[str, Fraction] = {
    "½": Fraction(1, 2),
    "⅓": Fraction(1, 3),
    "⅔": Fraction(2, 3),
    "¼": Fraction(1, 4),
    "¾": Fraction(3, 4),
    "⅕": Fraction(1, 5),
    "⅖": Fraction(2, 5),
    "⅗": Fraction(3, 5),
    "⅘": Fraction(4, 5),
    "⅙": Fraction(1, 6),
    "⅚": Fraction(5, 6),
    "⅐": Fraction(1, 7),
    "⅛": Fraction(1, 8),
    "⅜": Fraction(3, 8),
    "⅝": Fraction(5, 8),
    "⅞": Fraction(7, 8),
    "⅑": Fraction(1, 9),
    "⅒": Fraction(1, 10),
}
_V = "".join(VULGAR)

WORD_NUMBERS: dict[str, Fraction] = {
    "one": Fraction(1),
    "two": Fraction(2),
    "three": Fraction(3),
    "four": Fraction(4),
    "five": Fraction(5),
    "six": Fraction(6),
    "seven": Fraction(7),
    "eight": Fraction(8),
    "nine": Fraction(9),
    "ten": Fraction(10),
    "eleven": Fraction(11),
    "twelve": Fraction(12),
    "dozen": Fraction(12),
    "half": Fraction(1, 2),
}

_NUMBER = re.compile(
    rf"""
    (?P<whole>\d+)?\s*(?P<vulgar>[{_V}])            # 1½, 1 ½, ½
    | (?P<mixed>\d+)(?:\s+|-)(?P<mn>\d+)/(?P<md>\d+)  # 1 1/2, 1-1/2
    | (?P<num>\d+)/(?P<den>\d+)                     # 3/4
    | (?P<thousands>\d{{1,3}}(?:,\d{{3}})+)(?![\d.,])  # 1,000
    | (?P<decimal>\d*[.,]\d+|\d+)                   # 1.5, 1,5, .5, 12
    """,
    re.VERBOSE,
)
_RANGE_SEP = re.compile(r"\s*(?:-|to|or)\s*", re.IGNORECASE)
_PAREN = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")
_BULLET = re.compile(r"^\s*(?:[•*·▪◦]|-(?=\s))\s*")
_TAIL_NOTE = re.compile(
    r"(?:,?\s+|^)(?:or\s+)?(to taste|as needed|as required|if needed|optional|"
    r"for (?:garnish(?:ing)?|serving|frying|greasing|dusting|decoration|the pan)\b.*)$",
    re.IGNORECASE,
)
_SIZES = frozenset({"small", "medium", "large", "big", "extra-large", "jumbo", "medium-sized"})
_SIZE_PREFIX = re.compile(r"^(?P<num>\d+(?:[.,]\d+)?)\s*-?\s*(?P<unit>[a-zA-Z.]+(?:\s+oz\.?)?)\s+")


@dataclass(frozen=True)
class ParsedIngredient:
    """One ingredient line: amount (a single value or a min/max range), unit, food and note."""

    original: str
    quantity: Fraction | None = None
    quantity_max: Fraction | None = None
    unit: str | None = None
    food: str = ""
    note: str | None = None

    @property
    def is_range(self) -> bool:
        """True when the line gives a range such as "2-3 cloves"."""
        return self.quantity_max is not None


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2044", "/").replace("\u2215", "/")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"(\d)([" + _V + r"])", r"\1 \2", text)
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _number_at(text: str, pos: int) -> tuple[Fraction, int] | None:
    match = _NUMBER.match(text, pos)
    if not match:
        return None
    groups = match.groupdict()
    if len(match.group()) > MAX_NUMBER_CHARS:  # no real recipe needs 10**30 of anything
        return None
    try:
        if groups["vulgar"]:
            value = VULGAR[groups["vulgar"]] + int(groups["whole"] or 0)
        elif groups["mixed"]:
            value = int(groups["mixed"]) + Fraction(int(groups["mn"]), int(groups["md"]))
        elif groups["num"]:
            value = Fraction(int(groups["num"]), int(groups["den"]))
        elif groups["thousands"]:
            value = Fraction(int(groups["thousands"].replace(",", "")))
        else:
            value = Fraction(groups["decimal"].replace(",", "."))
    except (ZeroDivisionError, ValueError):
        return None
    return value, match.end()


def _word_number_at(text: str, pos: int) -> tuple[Fraction, int] | None:
    match = re.compile(r"([A-Za-z]+)\b").match(text, pos)
    if not match:
        return None
    word = match.group(1).lower()
    if word in WORD_NUMBERS:
        return WORD_NUMBERS[word], match.end()
    if word in {"a", "an"}:
        after = text[match.end() :].lstrip()
        first = after.split(" ", 1)[0] if after else ""
        if first.lower() in {"dozen", "half"}:
            return _word_number_at(text, len(text) - len(after))
        if first and lookup_unit(first) and first not in {"t", "T", "c"}:
            return Fraction(1), match.end()
    return None


def _quantity(text: str) -> tuple[Fraction | None, Fraction | None, str]:
    found = _number_at(text, 0) or _word_number_at(text, 0)
    if found is None:
        return None, None, text
    low, end = found
    high: Fraction | None = None
    sep = _RANGE_SEP.match(text, end)
    if sep and sep.end() > end:
        upper = _number_at(text, sep.end())
        if upper is not None and upper[0] >= low:
            high, end = upper
    return low, high, text[end:].lstrip()


def _unit(rest: str) -> tuple[str | None, str]:
    words = rest.split(" ")
    for count in range(min(MAX_UNIT_WORDS, len(words)), 0, -1):
        candidate = " ".join(words[:count]).rstrip(",")
        unit = lookup_unit(candidate)
        if unit is not None:
            remainder = " ".join(words[count:])
            return unit, re.sub(r"^(?:of|de|d'|di)\s+", "", remainder, flags=re.IGNORECASE)
    return None, rest


def _container(rest: str) -> tuple[str | None, str | None, str]:
    """Spot a size before a container ("400 g tins", "14-ounce can"): (size, unit, rest)."""
    rest = re.sub(r"^x\s*", "", rest, flags=re.IGNORECASE)
    match = _SIZE_PREFIX.match(rest)
    if not match or lookup_unit(match.group("unit")) is None:
        return None, None, rest
    unit, after = _unit(rest[match.end() :])
    if unit not in CONTAINERS:
        return None, None, rest
    return f"{match.group('num')} {match.group('unit')}", unit, after


def _split_note(rest: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    tail = _TAIL_NOTE.search(rest)
    if tail:
        notes.append(tail.group(1))
        rest = rest[: tail.start()]
    if "," in rest:
        rest, _, after = rest.partition(",")
        after = after.strip()
        if after:
            notes.insert(0, after)
    words = rest.strip().split(" ")
    if len(words) > 1 and words[0].lower() in _SIZES:
        notes.insert(0, words[0].lower())
        words = words[1:]
    return " ".join(words).strip(" ,;:-"), notes


def parse_ingredient(line: str) -> ParsedIngredient:
    """Parse one ingredient line; the result keeps the original line verbatim."""
    text = _BULLET.sub("", _normalise(line))
    notes: list[str] = [m.strip() for m in _PAREN.findall(text) if m.strip()]
    text = re.sub(r"\s+", " ", _PAREN.sub("", text)).strip()
    low, high, rest = _quantity(text)
    unit: str | None = None
    if low is not None:
        size, unit, rest = _container(rest)
        if size is not None:
            notes.insert(0, size)
        else:
            unit, rest = _unit(rest)
    elif re.match(r"(?i)(pinch|dash|handful)\b", text):
        low = Fraction(1)
        unit, rest = _unit(text)
    food, tail_notes = _split_note(rest)
    notes.extend(tail_notes)
    if not food and unit is None and low is None:
        food = text
    return ParsedIngredient(
        original=line,
        quantity=low,
        quantity_max=high,
        unit=unit,
        food=food,
        note="; ".join(notes) if notes else None,
    )


def parse_ingredients(lines: list[str]) -> list[ParsedIngredient]:
    """Parse several ingredient lines, keeping their order."""
    return [parse_ingredient(line) for line in lines]

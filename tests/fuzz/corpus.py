"""A generated corpus of bad files: the failures of issue 11 and every wrong JSON type anywhere.

Cases are plain bytes, made on demand (the huge ones lazily, as sparse files in tmp), so the
same corpus drives every CLI command that reads a file and every import endpoint.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commonpot.parsing import MAX_FILE_BYTES

SENTINEL = "__fuzz_sentinel__"
BIG_INT = "9" * 5000
DEEP = 100_000


@dataclass(frozen=True)
class Case:
    """A named bad input; `huge` files are written sparse instead of held in memory."""

    name: str
    data: bytes = b""
    huge: int = 0

    def write(self, folder: Path, suffix: str) -> Path:
        """Write the case into `folder` and return its path."""
        path = folder / f"{self.name}{suffix}"
        with path.open("wb") as handle:
            if self.huge:
                handle.truncate(self.huge)  # sparse: no disk and no memory used
            else:
                handle.write(self.data)
        return path


def huge_file() -> Case:
    """A file 10 MB over the shared limit (written lazily as a sparse file)."""
    return Case("huge", huge=MAX_FILE_BYTES + 10 * 1024 * 1024)


# --- any text file -------------------------------------------------------------------------

GENERIC = [
    Case("empty", b""),
    Case("bom_only", b"\xef\xbb\xbf"),
    Case("whitespace_only", b" \n\t\r\n"),
    Case("truncated_utf8", b"A\nB\n\xe2\x82"),
    Case("latin1", "Jalapeño\n".encode("latin-1")),
    Case("binary_nul", b"\x00\x01\x02\xff" * 64),
]

# --- JSON ----------------------------------------------------------------------------------

JSON_DOCUMENT = [
    Case("deep_array", b"[" * DEEP + b"]" * DEEP),
    Case("deep_object", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    Case("deep_unclosed", b"[" * DEEP),
    Case("nan", b'{"a": NaN}'),
    Case("infinity", b'{"a": Infinity}'),
    Case("minus_infinity", b'{"a": -Infinity}'),
    Case("overflow_float", b'{"a": 1e309}'),
    Case("big_int", b'{"a": ' + BIG_INT.encode() + b"}"),
    Case("truncated_json", b'{"a": [1, 2'),
    Case("bom_garbage", b"\xef\xbb\xbf{,}"),
    Case("scalar", b"42"),
    Case("string", b'"hello"'),
    Case("null", b"null"),
    Case("array", b"[]"),
]

# values put in every position of a valid document; literals are spliced in as text
WRONG_VALUES: list[tuple[str, Any]] = [
    ("null", None),
    ("true", True),
    ("text", "x"),
    ("superscript", "²"),
    ("list", [1]),
    ("object", {"a": 1}),
    ("negative", -1),
    ("float_max", 1e308),
    ("float_min", -1e308),
    ("int_40_digits", 10**40),
    ("nan", "@NaN"),
    ("infinity", "@Infinity"),
    ("overflow", "@1e309"),
    ("big_int", "@" + BIG_INT),
    ("deep", "@" + "[" * DEEP + "]" * DEEP),
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def wrong_types(document: Any, *, skip: tuple[str, ...] = ()) -> list[Case]:
    """The document with each wrong value in every position (the root included)."""
    cases = []
    for path in _paths(document):
        where = ".".join(str(p) for p in path) or "root"
        if any(where.startswith(s) for s in skip):
            continue
        for label, value in WRONG_VALUES:
            literal = isinstance(value, str) and value.startswith("@")
            text = json.dumps(_replace(document, path, SENTINEL if literal else value))
            if literal:
                text = text.replace(json.dumps(SENTINEL), value[1:])
            cases.append(Case(f"{where}={label}", text.encode()))
    return cases


def valid_instance() -> dict[str, Any]:
    """A small valid allocation instance."""
    return {
        "offers": [
            {"id": "o1", "category": "veg", "quantity": 5, "lat": 51.5, "lon": -0.1},
            {
                "id": "o2",
                "category": "bread",
                "quantity": 3,
                "lat": 51.51,
                "lon": -0.12,
                "expires_in_hours": 12,
            },
        ],
        "needs": [
            {"id": "n1", "category": "veg", "quantity": 4, "lat": 51.5, "lon": -0.11},
            {
                "id": "n2",
                "category": "bread",
                "quantity": 2,
                "lat": 51.52,
                "lon": -0.1,
                "priority": 2,
                "group": "elders",
            },
        ],
        "params": {"max_distance_km": 10, "speed_kmh": 20, "cost_per_km": 0.01, "segments": 3},
    }


def valid_recipe() -> dict[str, Any]:
    """A small valid schema.org Recipe in JSON-LD."""
    return {
        "@context": "https://schema.org",
        "@type": "Recipe",
        "name": "Fuzz soup",
        "recipeYield": "4 bowls",
        "prepTime": "PT10M",
        "cookTime": "PT1H",
        "recipeIngredient": ["2 cups water", "1 tsp salt"],
        "recipeInstructions": [{"@type": "HowToStep", "text": "Boil."}],
        "author": {"@type": "Person", "name": "Rosa"},
        "keywords": "soup, winter",
        "nutrition": {"@type": "NutritionInformation", "calories": "120"},
    }


def valid_geojson() -> dict[str, Any]:
    """A small valid FeatureCollection of one foraging patch."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-0.1, 51.5]},
                "properties": {
                    "name": "Elder hedge",
                    "species": "Sambucus nigra",
                    "sustainable_yield_kg": 5,
                    "season_start_month": 6,
                    "notes": "",
                },
            }
        ],
    }


# recipe text that must be refused whatever the surrounding format
RECIPE_NUMBERS = [
    Case("yield_big_int", json.dumps({**valid_recipe(), "recipeYield": BIG_INT}).encode()),
    Case("prep_big_int", json.dumps({**valid_recipe(), "prepTime": f"PT{BIG_INT}M"}).encode()),
    Case("cook_digits", json.dumps({**valid_recipe(), "cookTime": BIG_INT}).encode()),
    Case(
        "ingredient_big_int",
        json.dumps({**valid_recipe(), "recipeIngredient": [f"{BIG_INT} cups flour"]}).encode(),
    ),
]


def html_with(block: bytes) -> bytes:
    """An HTML page embedding `block` as its JSON-LD script."""
    return b'<html><head><script type="application/ld+json">' + block + b"</script></head></html>"


# --- CSV -----------------------------------------------------------------------------------

FIELD_200K = "x" * 200_000
FIELD_2M = "x" * 2_000_000


def csv_cases(header: str, good_row: str, number_rows: list[tuple[str, str]]) -> list[Case]:
    """Bad CSV files for a table with `header`; `number_rows` put bad numbers in a row."""
    cases = [
        Case("field_200k", f'{header}\n"{FIELD_200K}",1\n'.encode()),
        Case("field_2m", f'{header}\n"{FIELD_2M}",1\n'.encode()),
        Case("unterminated_quote", f'{header}\n"{good_row}\n'.encode()),
        Case("header_only", f"{header}\n".encode()),
        Case("comment_only", b"# nothing here\n"),
        Case("nul_in_row", f"{header}\n{good_row}\x00\n".encode()),
    ]
    cases += [Case(name, f"{header}\n{row}\n".encode()) for name, row in number_rows]
    return cases


BAD_NUMBERS = [
    ("superscript", "²"),
    ("superscript3", "1³"),
    ("arabic_digit", "٣"),
    ("big_int", BIG_INT),
    ("float_max", "1e308"),
    ("overflow", "1e309"),
    ("nan", "nan"),
    ("infinity", "Infinity"),
    ("minus_inf", "-inf"),
    ("hex", "0x10"),
]

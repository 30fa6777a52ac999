"""Mealie and Tandoor export archives, and zips of JSON-LD files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from commonpot.errors import Invalid, PayloadTooLarge
from commonpot.recipes import archives
from commonpot.recipes.archives import is_archive, recipes_from_archive

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_mealie_export() -> None:
    content = _zip(
        {"recipes/kimchi-jjigae/kimchi-jjigae.json": (FIXTURES / "mealie_recipe.json").read_bytes()}
    )
    assert is_archive(content)
    (recipe,) = recipes_from_archive(content)
    assert recipe.name == "Kimchi Jjigae"
    assert recipe.ingredients == (
        "2 cups sour kimchi, chopped",
        "300 g pork belly, sliced",
        "1 tbsp gochugaru",
        "Tofu and scallions to finish",
    )
    assert recipe.steps()[0].text == "Fry the pork belly until it gives up its fat."
    assert (recipe.prep_time, recipe.cook_time, recipe.total_time) == ("PT15M", "PT30M", "PT45M")
    assert recipe.keywords == "Korean, Winter, Stew"
    assert recipe.recipe_yield == "4 servings"


def test_tandoor_export_with_nested_zips() -> None:
    inner = _zip({"recipe.json": (FIXTURES / "tandoor_recipe.json").read_bytes()})
    (recipe,) = recipes_from_archive(_zip({"1.zip": inner}))
    assert recipe.name == "Bigos"
    assert recipe.ingredients == (
        "1000 g sauerkraut, rinsed",
        "0.5 white cabbage",
        "400 g kielbasa, sliced",
        "8 prunes",
        "2 bay leaves",
    )
    assert [s.name for s in recipe.steps()] == ["Prepare", "Cook"]
    assert recipe.prep_time == "PT45M"
    assert recipe.total_time == "PT3H45M"
    assert recipe.recipe_yield == "8 portions"
    assert recipe.keywords == "polish, winter"


def test_zip_of_jsonld_files() -> None:
    content = _zip({"heritage.jsonld": (FIXTURES / "heritage.jsonld").read_bytes()})
    (recipe,) = recipes_from_archive(content)
    assert recipe.name == "Nokomis' wild rice with blueberries"


def test_bad_archives() -> None:
    with pytest.raises(Invalid, match="not a readable zip"):
        recipes_from_archive(b"PK\x03\x04 broken")
    with pytest.raises(Invalid, match="not valid JSON"):
        recipes_from_archive(_zip({"x.json": b"{nope"}))
    assert recipes_from_archive(_zip({"readme.txt": b"hello"})) == []


def test_archive_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 2)
    with pytest.raises(PayloadTooLarge, match="files"):
        recipes_from_archive(_zip({f"{i}.json": json.dumps({}).encode() for i in range(3)}))
    monkeypatch.setattr(archives, "MAX_UNPACKED", 10)
    with pytest.raises(PayloadTooLarge, match="unpacks"):
        recipes_from_archive(_zip({"a.json": b"{}" * 20}))

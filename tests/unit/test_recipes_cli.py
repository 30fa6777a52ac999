"""`commonpot recipes parse`: prints JSON-LD, exit 2 with one line when there is no recipe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories.cli import run_cli as _run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"


def test_parse_prints_jsonld(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "recipes", "parse", str(FIXTURES / "graph_yoast.html"))
    assert code == 0
    doc = json.loads(out)
    assert doc["@type"] == "Recipe"
    assert doc["name"] == "Grandma Ruth’s Barley & Leek Soup"
    assert out.count("\n") > 10


def test_parse_json_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "recipes", "parse", str(FIXTURES / "microdata.html"), "--json")
    assert code == 0
    assert out.count("\n") == 1
    assert json.loads(out)["recipeIngredient"][0] == "3 cups flour"


def test_parse_jsonld_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "recipes", "parse", str(FIXTURES / "heritage.jsonld"))
    assert code == 0
    assert json.loads(out)["commonpot:protocolLabels"][0]["commonpot:code"] == "TK CO"


@pytest.mark.parametrize(
    ("name", "message"),
    [("no_recipe.html", "no schema.org Recipe"), ("invalid_jsonld.html", "not valid JSON")],
)
def test_no_recipe_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    code, out, err = _run(capsys, "recipes", "parse", str(FIXTURES / name))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "recipes", "parse", str(tmp_path / "missing.html"))
    assert code == 2
    assert "cannot read" in err


def test_too_large_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.truncate(6 * 1024 * 1024)
    code, _, err = _run(capsys, "recipes", "parse", str(big))
    assert code == 2
    assert "bytes" in err
    assert err.count("\n") == 1

"""`commonpot recipes import|export` against a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.recipes.models import Recipe
from tests.factories.cli import run_cli as _run
from tests.factories.recipes import make_recipe_world

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"


def _count(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count(Recipe.id))) or 0)


def test_import_then_export(cli_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    make_recipe_world(cli_db)
    code, out, err = _run(
        capsys,
        "recipes",
        "import",
        str(FIXTURES / "graph_yoast.html"),
        str(FIXTURES / "microdata.html"),
        "--community",
        "publicville",
    )
    assert code == 0, err
    lines = out.strip().splitlines()
    assert [line.split("\t")[1] for line in lines] == [
        "Grandma Ruth’s Barley & Leek Soup",
        "Bannock over the fire",
    ]
    rid = lines[0].split("\t")[0]
    code, out, _ = _run(capsys, "recipes", "export", rid, "--format", "jsonld")
    assert code == 0
    doc = json.loads(out)
    assert doc["name"] == "Grandma Ruth’s Barley & Leek Soup"
    assert doc["recipeInstructions"][0]["@type"] == "HowToSection"


def test_import_with_one_bad_file_stores_nothing(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    make_recipe_world(cli_db)
    before = _count(cli_db)
    code, _, err = _run(
        capsys,
        "recipes",
        "import",
        str(FIXTURES / "graph_yoast.html"),
        str(FIXTURES / "no_recipe.html"),
        "--community",
        "publicville",
    )
    assert code == 2
    assert "no_recipe.html" in err
    assert err.count("\n") == 1
    assert _count(cli_db) == before


def test_export_of_community_only_recipe_needs_a_member(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    rw = make_recipe_world(cli_db)
    code, out, err = _run(capsys, "recipes", "export", str(rw.community_recipe))
    assert code == 2
    assert out == ""
    assert "No recipe" in err
    email = rw.world.member.email
    code, out, _ = _run(capsys, "recipes", "export", str(rw.community_recipe), "--as", email)
    assert code == 0
    assert json.loads(out)["commonpot:protocolLabels"][0]["commonpot:code"] == "TK CO"


def test_import_shows_progress_on_a_terminal_only(cli_db: Database) -> None:
    """On a terminal a progress bar goes to stderr; stdout keeps only the recipe lines."""
    import os
    import pty
    import subprocess
    import sys

    make_recipe_world(cli_db)
    files = [str(FIXTURES / "graph_yoast.html"), str(FIXTURES / "microdata.html")]
    entry = str(Path(sys.executable).parent / "commonpot")  # the installed command
    command = [entry, "recipes", "import", *files]
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    done = subprocess.run(
        [*command, "--community", "publicville"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    names = [line.split("\t")[1] for line in done.stdout.decode().strip().splitlines()]
    assert names == ["Grandma Ruth’s Barley & Leek Soup", "Bannock over the fire"]
    assert b"Importing" in shown or b"graph_yoast.html" in shown
    assert _count(cli_db) >= 2

"""`commonpot recipes ...`: read recipe pages and files from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from commonpot.errors import Invalid

recipes_app = typer.Typer(
    name="recipes",
    help="Recipes: read schema.org recipes from pages and files.",
    no_args_is_help=True,
)


@recipes_app.command("parse")
def parse(
    file: Path = typer.Argument(..., help="An HTML page or a JSON-LD file holding a recipe."),
    as_json: bool = typer.Option(
        False, "--json", help="Print compact one-line JSON instead of indented JSON-LD."
    ),
) -> None:
    """Print the recipe in FILE as schema.org JSON-LD; nothing is stored."""
    from commonpot.recipes.jsonld import MAX_INPUT_BYTES, parse_recipe

    try:
        size = file.stat().st_size
        if size > MAX_INPUT_BYTES:
            from commonpot.errors import PayloadTooLarge

            raise PayloadTooLarge(
                f"{file} is {size} bytes; recipes are read up to {MAX_INPUT_BYTES}"
            )
        content = file.read_bytes()
    except OSError as exc:
        raise Invalid(f"cannot read {file}: {exc.strerror or exc}", field="file") from exc
    recipe = parse_recipe(content)
    if as_json:
        typer.echo(json.dumps(recipe, ensure_ascii=False, separators=(",", ":")))
    else:
        typer.echo(json.dumps(recipe, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add the `recipes` command group to the root CLI."""
    app.add_typer(recipes_app, name="recipes")

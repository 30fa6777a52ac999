"""`commonpot recipes ...`: read, import and export schema.org recipes from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from commonpot.errors import Invalid, PayloadTooLarge

if TYPE_CHECKING:  # the ORM and the domains load inside the commands: `--help` needs neither
    from sqlalchemy.orm import Session

    from commonpot.accounts import Viewer

recipes_app = typer.Typer(
    name="recipes",
    help="Recipes: read, import and export schema.org recipes.",
    no_args_is_help=True,
)


def _read(file: Path) -> bytes:
    from commonpot.recipes.jsonld import MAX_INPUT_BYTES

    try:
        size = file.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise PayloadTooLarge(
                "%(file)s is %(size)s bytes; recipes are read up to %(limit)s",
                file=str(file),
                size=size,
                limit=MAX_INPUT_BYTES,
            )
        return file.read_bytes()
    except OSError as exc:
        raise Invalid(
            "cannot read %(file)s: %(problem)s",
            field="file",
            file=str(file),
            problem=str(exc.strerror or exc),
        ) from exc


@recipes_app.command("parse")
def parse(
    file: Path = typer.Argument(..., help="An HTML page or a JSON-LD file holding a recipe."),
    as_json: bool = typer.Option(
        False, "--json", help="Print compact one-line JSON instead of indented JSON-LD."
    ),
) -> None:
    """Print the recipe in FILE as schema.org JSON-LD; nothing is stored."""
    from commonpot.recipes.jsonld import parse_recipe

    recipe = parse_recipe(_read(file))
    if as_json:
        typer.echo(json.dumps(recipe, ensure_ascii=False, separators=(",", ":")))
    else:
        typer.echo(json.dumps(recipe, ensure_ascii=False, indent=2))


def _viewer(session: Session, email: str | None) -> Viewer:
    from sqlalchemy import select

    from commonpot.accounts import OPERATOR, User, Viewer
    from commonpot.errors import NotFound

    if email is None:
        return OPERATOR
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound("No account with e-mail %(email)s.", field="as", email=email)
    return Viewer(user=user)


@recipes_app.command("import")
def import_files(
    files: list[Path] = typer.Argument(..., help="HTML pages or JSON-LD files."),
    community: str = typer.Option(..., "--community", help="The community's slug."),
    as_email: str | None = typer.Option(None, "--as", help="Import as this member (e-mail)."),
    show: bool | None = typer.Option(
        None, "--progress/--no-progress", help="Progress bar on stderr (default: on a terminal)."
    ),
) -> None:
    """Store the recipes found in FILES; if any file fails, nothing is stored."""
    from commonpot import progress
    from commonpot.cli_language import N_
    from commonpot.cli_support import transaction
    from commonpot.communities import readable_community
    from commonpot.recipes.exchange import import_content
    from commonpot.recipes.jsonld import sentence_of

    contents = [(f, _read(f)) for f in files]
    bar = progress.steps(N_("Importing"), total=len(contents), show=show)
    with transaction() as session, bar as step:
        viewer = _viewer(session, as_email)
        found = readable_community(session, community, viewer)
        stored = []
        for file, content in contents:
            step(file.name)
            try:
                stored.extend(import_content(session, found, viewer, content))
            except Invalid as exc:
                raise Invalid(
                    "%(file)s: %(problem)s",
                    field=exc.field,
                    file=str(file),
                    problem=sentence_of(exc.detail),
                ) from exc
        for recipe in stored:
            typer.echo(f"{recipe.id}\t{recipe.name}")


@recipes_app.command("export")
def export(
    recipe_id: int = typer.Argument(..., help="The recipe's number."),
    fmt: str = typer.Option("jsonld", "--format", help="Only jsonld for now."),
    as_email: str | None = typer.Option(
        None, "--as", help="Export as this member (needed for community-only recipes)."
    ),
) -> None:
    """Print one recipe as JSON-LD with its heritage; community-only recipes need --as a member."""
    from commonpot.cli_support import transaction
    from commonpot.communities import Community, readable_community
    from commonpot.errors import NotFound
    from commonpot.recipes.exchange import export_jsonld
    from commonpot.recipes.models import Recipe

    if fmt != "jsonld":
        raise Invalid("the only export format is jsonld", field="format")
    with transaction() as session:
        viewer = _viewer(session, as_email)
        recipe = session.get(Recipe, recipe_id)
        community = session.get(Community, recipe.community_id) if recipe else None
        if community is None:
            raise NotFound("No recipe %(id)s here.", id=str(recipe_id))
        readable_community(session, community.slug, viewer)
        doc = export_jsonld(session, community, viewer, recipe_id)
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add the `recipes` command group to the root CLI."""
    app.add_typer(recipes_app, name="recipes")

"""Root command line: `commonpot ...`; each domain adds its own commands through `register`."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

import typer

from commonpot.errors import DomainError

DOMAINS = (
    "accounts",
    "communities",
    "recipes",
    "network",
    "governance",
    "events",
    "ecology",
    "experiences",
)

app = typer.Typer(
    name="commonpot",
    help="commonpot: a community's food heritage, food sharing and self-government, self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print the installed commonpot version."""
    from commonpot import __version__

    typer.echo(__version__)


def _register_domains() -> None:
    for domain in DOMAINS:
        try:
            module = importlib.import_module(f"commonpot.{domain}.cli")
        except ModuleNotFoundError as exc:
            if exc.name == f"commonpot.{domain}.cli":
                continue
            raise
        register: Callable[[typer.Typer], None] | None = getattr(module, "register", None)
        if register is not None:
            register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn domain errors into exit code 2 with one line."""
    _register_domains()
    try:
        app(args=argv, standalone_mode=False)
    except DomainError as exc:
        prefix = f"{exc.field}: " if exc.field and not exc.detail.startswith(exc.field) else ""
        typer.echo(f"error: {prefix}{exc.detail}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(1)
    except Exception as exc:
        # click's usage errors arrive here when standalone_mode is off
        import click

        if isinstance(exc, click.exceptions.UsageError):
            exc.show()
            sys.exit(2)
        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise

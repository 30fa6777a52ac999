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
    "biotumblers",
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


db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo communities to explore and test with.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create or update the database schema (COMMONPOT_DATABASE_URL)."""
    from commonpot import migrate
    from commonpot.settings import get_settings

    migrate.upgrade(get_settings().database_url, revision)
    typer.echo("Database schema is up to date.")


@db_app.command("revision")
def db_revision(message: str = typer.Option(..., "-m", help="What the migration does.")) -> None:
    """Write a migration comparing the models with the database (developers)."""
    from commonpot import migrate
    from commonpot.settings import get_settings

    migrate.revision(get_settings().database_url, message)


@db_app.command("diff")
def db_diff() -> None:
    """Print the Alembic operations the models need beyond the database's schema."""
    from commonpot import migrate
    from commonpot.settings import get_settings

    typer.echo(migrate.diff(get_settings().database_url))


@demo_app.command("load")
def demo_load(
    force: bool = typer.Option(False, help="Load even if the demo communities exist."),
) -> None:
    """Load the demo communities (riverside, public; hillside, private) and print sign-ins."""
    from commonpot import demo
    from commonpot.cli_support import transaction

    with transaction() as session:
        result = demo.load(session, force=force)
    typer.echo(result.summary())


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default from settings)."),
    port: int | None = typer.Option(None, help="Port to listen on (default from settings)."),
    workers: int = typer.Option(1, help="Worker processes (use PostgreSQL for more than one)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """Serve the web pages and the API."""
    import uvicorn

    from commonpot.settings import get_settings

    settings = get_settings()
    uvicorn.run(
        "commonpot.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
    )


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
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code != 0:
            sys.exit(code)
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

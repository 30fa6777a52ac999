"""The Typer application behind `commonpot`: core commands, and each domain's on demand.

`commonpot.cli.main` answers `--help` and `version` itself and imports this module only to
run a command, registering just the domain that owns it (a domain's `cli.register`).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# help pages in Click's plain form, as `commonpot --help` prints its own and as `cli_help`
# renders them at setup (Rich's would also cost ~60 ms to load); Typer reads this on import
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer

from commonpot.cli import HELP
from commonpot.errors import DomainError, error_line

if TYPE_CHECKING:  # commands without a database (tally, allocate solve) never load SQLAlchemy
    from commonpot.db import Database

Register = Callable[[typer.Typer], None]


def _accounts(root: typer.Typer) -> None:
    from commonpot.accounts.cli import register

    register(root)


def _communities(root: typer.Typer) -> None:
    from commonpot.communities.cli import register

    register(root)


def _recipes(root: typer.Typer) -> None:
    from commonpot.recipes.cli import register

    register(root)


def _network(root: typer.Typer) -> None:
    from commonpot.network.cli import register

    register(root)


def _governance(root: typer.Typer) -> None:
    from commonpot.governance.cli import register

    register(root)


def _events(root: typer.Typer) -> None:
    from commonpot.events.cli import register

    register(root)


def _federation(root: typer.Typer) -> None:
    from commonpot.federation.cli import register

    register(root)


def _ecology(root: typer.Typer) -> None:
    from commonpot.ecology.cli import register

    register(root)


def _jobs(root: typer.Typer) -> None:
    from commonpot.jobs.cli import register

    register(root)


def _biotumblers(root: typer.Typer) -> None:
    from commonpot.biotumblers.cli import register

    register(root)


DOMAIN_COMMANDS: dict[str, Register] = {
    "accounts": _accounts,
    "communities": _communities,
    "recipes": _recipes,
    "network": _network,
    "governance": _governance,
    "events": _events,
    "ecology": _ecology,
    "jobs": _jobs,
    "biotumblers": _biotumblers,
    "federation": _federation,
}


def version() -> None:
    """Print the installed commonpot version."""
    from commonpot import __version__

    typer.echo(__version__)


db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo communities to explore and test with.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create or update the database schema (COMMONPOT_DATABASE_URL)."""
    from commonpot import migrate
    from commonpot.settings import get_settings

    migrate.upgrade(get_settings().database_url, revision)
    from commonpot.i18n import cli_text

    typer.echo(cli_text("Database schema is up to date."))


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
    show: bool | None = typer.Option(
        None, "--progress/--no-progress", help="Progress bar on stderr (default: on a terminal)."
    ),
) -> None:
    """Load the demo communities (riverside, public; hillside, private) and print sign-ins."""
    from commonpot import demo, progress
    from commonpot.cli_language import N_, cli_words
    from commonpot.cli_support import transaction
    from commonpot.settings import get_settings

    bar = progress.steps(N_("Loading the demo"), total=demo.steps(), show=show)
    with bar as step, transaction() as session:
        result = demo.load(session, force=force, progress=step, data_dir=get_settings().data_dir)
    typer.echo(result.summary(cli_words()))


def server_options(
    host: str, port: int, *, workers: int = 1, reload: bool = False, access_log: bool = True
) -> dict[str, Any]:
    """How `commonpot serve` runs uvicorn (the HTTP benchmark serves its baseline the same way).

    The HTTP parser is httptools (C) when installed, h11 otherwise (`auto`). The event loop
    is Python's own asyncio loop, not uvloop, although uvloop is installed. The reason is
    how they accept connections:
    - uvloop (libuv since 1.45) accepts one new connection per loop turn;
    - asyncio accepts every waiting connection in one turn.
    A turn here can take tens of milliseconds, because the busiest reads run on the loop
    (`communities.scope.in_one_hop`). So when many people connect at once, the last to
    connect waited several hundred milliseconds on uvloop.
    Measured on 2 cores with wrk (`benchmarks/bench_recipes_http.py`), recipe JSON at 32
    connections:
    - p99 fell from 459 ms to 64 ms, at the same throughput;
    - the app's CPU per request did not change, on SQLite or PostgreSQL.
    """
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "reload": reload,
        "proxy_headers": True,
        "loop": "asyncio",
        "http": "auto",
        "access_log": access_log,
    }


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default from settings)."),
    port: int | None = typer.Option(None, help="Port to listen on (default from settings)."),
    workers: int = typer.Option(1, help="Worker processes (use PostgreSQL for more than one)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log", help="Log every request (a line on stdout)."
    ),
) -> None:
    """Serve the web pages and the API."""
    import uvicorn

    from commonpot.migrate import require_current
    from commonpot.settings import get_settings

    # the web processes run the job consumer themselves unless told otherwise (make run
    # needs nothing else); with Redis and `commonpot worker` set COMMONPOT_JOBS_EMBEDDED=0
    os.environ.setdefault("COMMONPOT_JOBS_EMBEDDED", "1")
    get_settings.cache_clear()
    settings = get_settings()
    require_current(settings.database_url)  # not a server whose every page fails
    options = server_options(
        host or settings.host,
        port or settings.port,
        workers=workers,
        reload=reload,
        access_log=access_log,
    )
    uvicorn.run("commonpot.app:create_served_app", factory=True, **options)


def worker(
    threads: int = typer.Option(2, help="Jobs run at the same time in this process."),
) -> None:
    """Run background jobs (start any number, on any host sharing the database and Redis)."""
    import logging

    from commonpot.bus import make_bus
    from commonpot.migrate import require_current
    from commonpot.settings import get_settings
    from commonpot.wiring import open_database, start_jobs

    settings = get_settings()
    require_current(settings.database_url)  # not a worker whose every job fails
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    db = open_database(settings.database_url)
    runtime = start_jobs(settings, db, make_bus(settings))
    from commonpot.i18n import cli_text

    queue = runtime.huey.__class__.__name__
    typer.echo(
        cli_text("worker: %(num)s thread(s) on the %(queue)s queue", num=str(threads), queue=queue)
    )
    runtime.consumer(threads).run()


def _open_database(url: str) -> Database:
    """A wired database whose committed jobs go to the queue (the consumers run them)."""
    from commonpot.bus import make_bus
    from commonpot.settings import get_settings
    from commonpot.wiring import open_database, start_jobs

    db = open_database(url)
    settings = get_settings()
    start_jobs(settings, db, make_bus(settings))
    return db


def _open_ledger_database(url: str) -> Database:
    """A database for `commonpot ledger`: ledger tables only, refusing other writes."""
    from commonpot.wiring import open_ledger_database

    return open_ledger_database(url)


# command -> its database opener, for commands that need less than every domain wired
# (start-up: wiring every domain imports all of them); every other command gets the full one
NARROW_OPENERS: dict[str, Callable[[str], Database]] = {"ledger": _open_ledger_database}


def build_app(domains: tuple[str, ...]) -> typer.Typer:
    """A root app with the core commands and the named domains' commands."""
    root = typer.Typer(
        name="commonpot", help=HELP, no_args_is_help=True, pretty_exceptions_enable=False
    )
    root.command()(version)
    root.command()(serve)
    root.command()(worker)
    root.add_typer(db_app, name="db")
    root.add_typer(demo_app, name="demo")
    for domain in domains:
        DOMAIN_COMMANDS[domain](root)
    return root


def run(argv: list[str], domains: tuple[str, ...]) -> None:
    """Run a command; domain errors become exit code 2 with one line."""
    from commonpot import cli_support

    cli_support.use_opener(NARROW_OPENERS.get(argv[0] if argv else "", _open_database))
    command = typer.main.get_command(build_app(domains))
    word_help(command)
    if names_a_group(command, argv):
        # `commonpot events` asks what `events` can do: its page, as `commonpot` alone prints
        # the top-level one (not a usage error)
        argv = [*argv, "--help"]
    try:
        code = command.main(args=argv, prog_name="commonpot", standalone_mode=False)
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except DomainError as exc:
        from commonpot.i18n import cli_words

        typer.echo(error_line(exc, cli_words()), err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        from commonpot.i18n import cli_text

        typer.echo(cli_text("Aborted."), err=True)
        sys.exit(1)
    except typer.TyperException as exc:
        # usage errors (exit 2) and other command-line errors arrive here with
        # standalone_mode off; Typer vendors click, so these are its own classes
        typer.echo(usage_error_line(exc), err=True)
        sys.exit(getattr(exc, "exit_code", 2))


def names_a_group(command: Any, argv: list[str]) -> bool:
    """Whether `argv` is just the names of a command group (`["events"]`): no subcommand, no
    option, no argument."""
    for word in argv:
        command = getattr(command, "commands", {}).get(word)
        if command is None:
            return False
    return bool(argv) and hasattr(command, "commands")


def _commands(command: Any) -> list[Any]:
    """`command` and every command under it."""
    found = [command]
    for sub in getattr(command, "commands", {}).values():
        found += _commands(sub)
    return found


def help_texts(command: Any) -> list[Any]:
    """Every command and option of `command`'s tree that has a help text (itself first)."""
    found: list[Any] = []
    for each in _commands(command):
        if each.help or getattr(each, "short_help", None):
            found.append(each)
        found += [param for param in each.params if getattr(param, "help", None)]
    return found


def word_help(command: Any) -> None:
    """The commands' and options' help in the command line's language (each text is a
    message id of the catalog: tests/unit/test_cli_entry.py checks every one has Spanish).
    Typer words the frame around it ("Options", "[required]", "[default: 2]") through the
    standard library's gettext, in the default domain "messages": bound to our catalog here,
    before Typer's help module loads, so the frame reads in the reader's language too. Two
    pieces Typer does not mark for translation are worded here: the --help option's own
    help, and the "Usage:" that starts every page (`_word_usage`).
    """
    import gettext

    from commonpot.cli_language import LOCALE_DIR, cli_words  # no Babel: every command

    gettext.bindtextdomain("messages", LOCALE_DIR)
    gettext.textdomain("messages")
    words = cli_words()
    _word_usage(words.gettext("Usage:"))
    items = help_texts(command)
    for each in _commands(command):  # the --help option Typer adds to every command
        option = each.get_help_option(each.context_class(each, **each.context_settings))
        if option is not None and option.help:
            items.append(option)
    for item in items:
        if item.help:
            item.help = words.gettext(item.help)
        if getattr(item, "short_help", None):
            item.short_help = words.gettext(item.short_help)


def _word_usage(worded: str) -> None:
    """Start every help page's usage line with `worded` (Typer's own Click writes a fixed
    "Usage: "; a prefix given by the caller is kept)."""
    from typer._click.formatting import HelpFormatter

    original = getattr(HelpFormatter.write_usage, "__wrapped__", HelpFormatter.write_usage)

    @functools.wraps(original)
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, f"{worded} " if prefix is None else prefix)

    HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]


def usage_error_line(exc: typer.TyperException) -> str:
    """A usage error as the one line every other refusal prints: `error:`, the option or
    argument it is about, what is wrong, and where the command's help is."""
    from pydantic import ValidationError

    from commonpot.cli_language import cli_text, cli_words
    from commonpot.errors import problem_words, worded_detail

    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None) or (param.get_error_hint() if param else None)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    option = getattr(exc, "option_name", None)
    message = str(getattr(exc, "message", "") or "").strip()
    field = str(hint).strip("'\"") if hint else ""
    cause = exc.__cause__
    if option and type(exc).__name__ == "NoSuchOption":
        said = cli_text("%(option)s: no such option", option=option)
    elif field and type(exc).__name__ == "MissingParameter":
        said = cli_text("%(field)s: required, but not given", field=field)
    elif field and isinstance(cause, ValidationError) and cause.errors():
        # Typer checks values with Pydantic: its problem in our words, as forms and the API
        said = worded_detail(problem_words(cause.errors()[0], field), cli_words())
    elif field:
        said = f"{field}: {message}"
    else:
        said = exc.format_message()
    line = f"error: {' '.join(said.split())}"
    if ctx is not None:
        line += " " + cli_text("(see '%(command)s --help')", command=ctx.command_path)
    return line

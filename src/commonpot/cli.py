"""`commonpot ...`: the command line's entry point, kept light so that it starts at once.

`commonpot`, `commonpot --help` and `commonpot version` answer from this module alone, and
plain `commonpot allocate solve ...` runs without Typer (see `network/cli_fast.py`), and
`commonpot tally` and `commonpot ledger verify` run on light paths (`governance.tally_command`,
`governance.verify_command`: no Typer, no ORM) when they can answer exactly as Typer would. Any
other command imports the Typer application (`commonpot.cli_app`) with only the domain
that owns the command; the table below says which (a test keeps it equal to what the
domains register).
"""

from __future__ import annotations

import sys

HELP = "commonpot: a community's food heritage, food sharing and self-government, self-hosted."

# command -> (the domain whose `cli.register` adds it, "" for the core; its one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "version": ("", "Print the installed commonpot version."),
    "serve": ("", "Serve the web pages and the API."),
    "worker": (
        "",
        "Run background jobs (start any number, on any host sharing the database and Redis).",
    ),
    "db": ("", "The database schema."),
    "demo": ("", "Demo communities to explore and test with."),
    "user": ("accounts", "People with accounts on this instance."),
    "community": ("communities", "Communities on this instance."),
    "invite": ("communities", "Print a one-time invitation link to a community."),
    "recipes": ("recipes", "Recipes: read, import and export schema.org recipes."),
    "allocate": ("network", "Decide who receives which offered food."),
    "tally": ("governance", "Count a ballot file and print the result."),
    "ledger": ("governance", "The communities' verifiable governance ledgers."),
    "vote": ("governance", "Sign your votes with your own Ed25519 key."),
    "governance": ("governance", "Proposals and grants housekeeping."),
    "events": ("events", "Community cooking events and classes."),
    "ecology": ("ecology", "Biodiversity ratings and before/after impact assessments."),
    "jobs": ("jobs", "Background jobs: see, follow and retry them."),
    "biotumbler": ("biotumblers", "Compost biotumblers: devices, readings, sanitisation."),
    "federation": ("federation", "Federation with other servers (ActivityPub)."),
}
ALL_DOMAINS = tuple(dict.fromkeys(domain for domain, _ in COMMANDS.values() if domain))


def usage() -> str:
    """The top-level help: every command with its one-line help, in the command line's
    language (the same message ids as the commands' own help)."""
    from commonpot.cli_language import cli_text

    width = max(len(name) for name in COMMANDS) + 2
    lines = [
        cli_text("Usage: commonpot [OPTIONS] COMMAND [ARGS]..."),
        "",
        f"  {cli_text(HELP)}",
        "",
        cli_text("Options:"),
        "  --help  " + cli_text("Show this message and exit."),
        "",
        cli_text("Commands:"),
    ]
    lines += [f"  {name.ljust(width)}{cli_text(text)}" for name, (_, text) in COMMANDS.items()]
    lines += ["", cli_text("Run 'commonpot COMMAND --help' for a command's options.")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Entry point: answer help and version at once, else run the command (errors exit 2).

    A file that cannot be read or written (`--out /no/such/dir/plan.json`) or a number
    beyond what Python or the database holds ends the command the same way, with one line,
    instead of a traceback.
    """
    try:
        _dispatch(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:
        raise  # the reader went away (`| head`): nothing to tell anyone
    except OSError as exc:
        from commonpot.cli_language import cli_text  # light: no Babel on the lean paths

        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"error: {where}{cli_text(str(exc.strerror or exc))}\n")
        sys.exit(2)
    except OverflowError:
        sys.stderr.write("error: a number is out of range\n")
        sys.exit(2)


def _dispatch(args: list[str]) -> None:
    if not args or args[0] in {"--help", "-h"}:
        sys.stdout.write(usage() + "\n")
        return
    if args in (["version"], ["--version"]):
        from commonpot import __version__

        sys.stdout.write(__version__ + "\n")
        return
    if args[-1] == "--help" or (len(args) == 1 and args[0] in COMMANDS):
        # every command's page as Typer prints it, rendered at setup (`cli_help`): no Typer;
        # a group named alone (`commonpot events`) prints its page, as `commonpot` does
        from commonpot.cli_help import group_page, page

        found = page(args[:-1]) if args[-1] == "--help" else group_page(args)
        if found is not None:
            sys.stdout.write(found)
            return
    if args[:2] == ["allocate", "solve"]:
        # a command people wait for: its plain forms run without loading Typer
        from commonpot.network.cli_fast import solve_without_typer

        if solve_without_typer(args[2:]):
            return
    if args[0] == "tally":
        # counting needs neither Typer nor a database: the light path, unless the command
        # line needs Typer's help or its usage errors
        from commonpot.governance.tally_command import run as tally

        code = tally(args[1:])
        if code is not None:
            if code:
                sys.exit(code)
            return
    if args[:2] == ["ledger", "verify"]:
        # a lean path too (DB-API cursor, no ORM); None when only the full command can answer
        from commonpot.governance.verify_command import run as verify

        code = verify(args[2:])
        if code is not None:
            if code:
                sys.exit(code)
            return
    from commonpot.cli_app import run

    run(args, domains_for(args))


def domains_for(args: list[str]) -> tuple[str, ...]:
    """The domains whose commands `commonpot ARGS` needs registered: the one that owns the
    command, none for the core's; every domain for an unknown command, so that the error
    can suggest the right one."""
    owner = COMMANDS.get(args[0]) if args else None
    return ALL_DOMAINS if owner is None else (owner[0],) if owner[0] else ()

"""`commonpot events ...`: list events, export a calendar, pair a class, listen to the bus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from commonpot.cli_support import transaction
from commonpot.i18n import cli_text, cli_words

# The engines, the models and the settings are imported inside each command: `commonpot
# events --help` then answers without loading SQLAlchemy, SciPy or pydantic-settings.

app = typer.Typer(help="Community cooking events and classes.", no_args_is_help=True)


@app.command("list")
def list_events(
    community: str = typer.Argument(..., help="The community's slug."),
    upcoming: bool = typer.Option(True, help="Only events that have not ended."),
) -> None:
    """Print the community's events with their head counts."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.events import service, signup

    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        for event in service.list_events(session, found, OPERATOR, upcoming=upcoming or None):
            numbers = signup.counts(session, event)
            cap = f"/{event.capacity}" if event.capacity else ""
            waiting = cli_text("(+%(num)s waiting)", num=str(numbers["waitlisted"]))
            kind = cli_words().gettext(event.kind)  # "class", "event": in the CLI's language
            typer.echo(
                f"{event.id:>5}  {event.starts_at:%Y-%m-%d %H:%M}Z  {kind:<6} "
                f"{numbers['confirmed']}{cap} {waiting}  {event.title}"
            )


@app.command("feed")
def feed(
    community: str = typer.Argument(..., help="The community's slug."),
    output: Path = typer.Option(Path("-"), "--output", "-o", help="File to write, - for stdout."),
) -> None:
    """Write the community's full calendar (.ics, every event) for backups or other tools."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.events import feeds
    from commonpot.settings import get_settings

    base = get_settings().base_url or "http://localhost:8000"
    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        body = feeds.community_feed(session, found, OPERATOR, base)
    if str(output) == "-":
        typer.echo(body.decode())
    else:
        output.write_bytes(body)
        typer.echo(cli_text("Wrote %(path)s", path=str(output)))


@app.command("pairs")
def pairs(
    community: str = typer.Argument(..., help="The community's slug."),
    event_id: int = typer.Argument(..., help="The class's id."),
) -> None:
    """Print the optimal elder–learner pairs of a class with the reasons."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.events import pairing, planning, service

    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        event = service.get_event(session, found, OPERATOR, event_id)
        view = planning.pairs(session, found, OPERATOR, event)
        words = cli_words()
        for pair in view.result.pairs:
            reasons = (
                pairing.reason_text(r, words.gettext, words.ngettext, words.language)
                for r in pair.reasons
            )
            typer.echo(
                f"{view.names[pair.teacher_id]} + {view.names[pair.learner_id]}: "
                + "; ".join(reasons)
            )
        for learner in view.result.unpaired_learners:
            typer.echo(cli_text("%(name)s: no teacher yet", name=view.names[learner]))


@app.command("listen")
def listen(
    community: str = typer.Argument(..., help="The community's slug."),
    count: int = typer.Option(1, help="Stop after this many messages."),
    timeout: float = typer.Option(60.0, help="Give up after this many seconds of silence."),
) -> None:
    """Print live updates from the configured bus (checks a multi-process set-up works)."""
    from commonpot.accounts import OPERATOR
    from commonpot.bus import make_bus, opened
    from commonpot.communities import readable_community
    from commonpot.events.live import community_channel
    from commonpot.settings import get_settings

    with transaction() as session:
        community_id = readable_community(session, community, OPERATOR).id
    bus = make_bus(get_settings())

    async def run() -> None:
        async with opened(bus, community_channel(community_id)) as sub:
            for _ in range(count):
                message = await sub.get(timeout)
                if message is None:
                    typer.echo(cli_text("(nothing arrived)"))
                    return
                typer.echo(message)

    asyncio.run(run())
    bus.close()


def register(root: typer.Typer) -> None:
    """Add `commonpot events` to the root command."""
    root.add_typer(app, name="events")

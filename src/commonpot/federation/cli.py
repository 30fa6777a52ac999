"""`commonpot federation ...`: deliver, follow, block domains, and answer follow requests."""

from __future__ import annotations

import time

import typer

from commonpot.cli_support import transaction
from commonpot.i18n import cli_text

# The domain's modules, the ORM and the settings load inside each command: `commonpot
# federation --help` answers without them.

app = typer.Typer(help="Federation with other servers (ActivityPub).", no_args_is_help=True)


@app.command("deliver")
def deliver(
    loop: bool = typer.Option(False, help="Keep delivering every --every seconds."),
    every: float = typer.Option(30.0, help="Seconds between passes with --loop."),
) -> None:
    """Send queued activities to followers' inboxes (retrying failed ones when due)."""
    from commonpot.federation import delivery, instance
    from commonpot.settings import get_settings

    fed = instance.context(get_settings())
    try:
        while True:
            with transaction() as session:
                report = delivery.deliver(session, fed)
            typer.echo(
                cli_text(
                    "fanned out %(fanned_out)s, delivered %(delivered)s, retrying %(retrying)s, "
                    "gave up %(failed)s",
                    fanned_out=str(report.fanned_out),
                    delivered=str(report.delivered),
                    retrying=str(report.retrying),
                    failed=str(report.failed),
                )
            )
            if not loop:
                return
            time.sleep(every)
    finally:
        fed.client.close()


@app.command("follow")
def follow(
    community: str = typer.Argument(..., help="The local community's slug."),
    handle: str = typer.Argument(..., help="The community to follow, as @slug@host."),
) -> None:
    """Make a community follow another one (the Follow is sent by `deliver`)."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.federation import instance, service
    from commonpot.settings import get_settings

    fed = instance.context(get_settings())
    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        row = service.follow(session, fed, found, OPERATOR, handle)
        typer.echo(
            cli_text(
                "%(community)s asked to follow %(handle)s (%(actor)s)",
                community=found.slug,
                handle=row.handle,
                actor=row.actor_id,
            )
        )


@app.command("block")
def block(
    domain: str = typer.Argument(..., help="The domain to block, e.g. spam.example."),
    community: str = typer.Option("", help="Block for this community only (default: instance)."),
) -> None:
    """Block a domain and remove everything kept from it."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.federation import blocks

    with transaction() as session:
        found = readable_community(session, community, OPERATOR) if community else None
        blocks.block_domain(session, OPERATOR, domain, found)
    typer.echo(cli_text("blocked %(domain)s", domain=domain))


@app.command("unblock")
def unblock(
    domain: str = typer.Argument(..., help="The domain to unblock."),
    community: str = typer.Option("", help="Lift the community's block (default: instance)."),
) -> None:
    """Lift a domain block."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.federation import blocks

    with transaction() as session:
        found = readable_community(session, community, OPERATOR) if community else None
        blocks.unblock_domain(session, OPERATOR, domain, found)
    typer.echo(cli_text("unblocked %(domain)s", domain=domain))


@app.command("approval")
def approval(
    community: str = typer.Argument(..., help="The community's slug."),
    on: bool = typer.Option(True, "--on/--off", help="Whether new followers wait for approval."),
) -> None:
    """Choose whether the community's stewards approve each new follower."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.federation import approvals

    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        approvals.set_approval(session, found, OPERATOR, on)
    if on:
        typer.echo(cli_text("%(community)s: new followers wait for approval", community=community))
    else:
        typer.echo(cli_text("%(community)s: new followers are accepted", community=community))


@app.command("requests")
def requests(community: str = typer.Argument(..., help="The community's slug.")) -> None:
    """List follow requests waiting for the stewards (id, actor, since)."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.federation import approvals

    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        for row in approvals.requests(session, found, OPERATOR):
            typer.echo(f"{row.id}\t{row.actor_id}\t{row.created_at:%Y-%m-%d %H:%M}")


@app.command("accept")
def accept(
    community: str = typer.Argument(..., help="The community's slug."),
    follower: int = typer.Argument(
        ..., min=1, max=2**63 - 1, help="The request's id (see `requests`)."
    ),
) -> None:
    """Accept a follow request (the Accept is sent by the delivery job)."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.federation import approvals, instance
    from commonpot.settings import get_settings

    fed = instance.context(get_settings())
    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        row = approvals.accept(session, fed, found, OPERATOR, follower)
        typer.echo(cli_text("accepted %(actor)s", actor=row.actor_id))


@app.command("reject")
def reject(
    community: str = typer.Argument(..., help="The community's slug."),
    follower: int = typer.Argument(
        ..., min=1, max=2**63 - 1, help="The request's id (see `requests`)."
    ),
) -> None:
    """Reject a follow request (or remove a follower); a Reject is sent."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import readable_community
    from commonpot.federation import approvals, instance
    from commonpot.settings import get_settings

    fed = instance.context(get_settings())
    with transaction() as session:
        found = readable_community(session, community, OPERATOR)
        approvals.reject(session, fed, found, OPERATOR, follower)
    typer.echo(cli_text("rejected request %(id)s", id=str(follower)))


def register(root: typer.Typer) -> None:
    """Add `commonpot federation` to the root command."""
    root.add_typer(app, name="federation")

"""`commonpot community ...` and `commonpot invite`: communities from the command line."""

from __future__ import annotations

import typer

from commonpot.cli_support import transaction
from commonpot.errors import NotFound

app = typer.Typer(help="Communities on this instance.", no_args_is_help=True)


@app.command("create")
def create(
    slug: str = typer.Option(..., help="Short name used in addresses, e.g. riverside."),
    name: str = typer.Option(..., help="Full name, e.g. 'Riverside Biodome'."),
    steward: str = typer.Option(..., help="E-mail of the person who will run it."),
    description: str = typer.Option("", help="What the community is about."),
    location: str = typer.Option("", help="Where it is, in words."),
    lat: float | None = typer.Option(None, help="Latitude of its centre."),
    lon: float | None = typer.Option(None, help="Longitude of its centre."),
    visibility: str = typer.Option("public", help="public (anyone reads) or private (members)."),
) -> None:
    """Create a community with its first steward."""
    from sqlalchemy import select

    from commonpot.accounts import OPERATOR, User
    from commonpot.communities import service

    with transaction() as session:
        person = session.scalar(select(User).where(User.email == steward.strip().lower()))
        if person is None:
            raise NotFound(
                "No account with e-mail %(email)s; create it first.",
                field="steward",
                email=steward,
            )
        community = service.create_community(
            session,
            OPERATOR,
            slug=slug,
            name=name,
            description=description,
            location=location,
            lat=lat,
            lon=lon,
            visibility=visibility,
            steward=person,
        )
        from commonpot.i18n import cli_text

        typer.echo(
            cli_text(
                "Created community %(slug)s with steward %(email)s.",
                slug=community.slug,
                email=person.email,
            )
        )


def invite(
    community: str = typer.Argument(..., help="The community's slug."),
    role: str = typer.Option("member", help="member, steward or custodian."),
    email: str | None = typer.Option(None, help="Only this e-mail address may use it."),
    note: str = typer.Option("", help="A note shown on the invitation page."),
    days: int = typer.Option(14, help="How long the link works (1-90 days)."),
) -> None:
    """Print a one-time invitation link to a community."""
    from commonpot.accounts import OPERATOR
    from commonpot.communities import service
    from commonpot.communities.schemas import InvitationIn
    from commonpot.parsing import validated
    from commonpot.settings import get_settings

    body = validated(InvitationIn, {"role": role, "email": email, "note": note, "days": days})
    with transaction() as session:
        found = service.readable_community(session, community, OPERATOR)
        _, token = service.create_invitation(session, found, OPERATOR, body)
    settings = get_settings()
    base = settings.base_url or f"http://{settings.host}:{settings.port}"
    typer.echo(f"{base.rstrip('/')}/invite/{token}")


def register(root: typer.Typer) -> None:
    """Add `commonpot community` and `commonpot invite` to the root command."""
    root.add_typer(app, name="community")
    root.command("invite")(invite)

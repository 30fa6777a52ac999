"""`commonpot user ...`: accounts from the server's command line."""

from __future__ import annotations

import typer

from commonpot.cli_support import transaction

app = typer.Typer(help="People with accounts on this instance.", no_args_is_help=True)


@app.command("create")
def create(
    email: str = typer.Option(..., help="The person's e-mail (their sign-in name)."),
    name: str = typer.Option(..., help="The name others see."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters."
    ),
    admin: bool = typer.Option(False, "--admin", help="Make them an instance administrator."),
    birth_year: int | None = typer.Option(None, help="Optional, for elder-youth pairing."),
) -> None:
    """Create an account (use --admin for the instance administrator)."""
    from commonpot.accounts import service
    from commonpot.i18n import cli_text

    with transaction() as session:
        user = service.create_user(
            session,
            email=email,
            display_name=name,
            password=password,
            is_admin=admin,
            birth_year=birth_year,
        )
        made = (
            cli_text(
                "Created administrator %(email)s (id %(id)s).", email=user.email, id=str(user.id)
            )
            if admin
            else cli_text("Created user %(email)s (id %(id)s).", email=user.email, id=str(user.id))
        )
        typer.echo(made)


def register(root: typer.Typer) -> None:
    """Add `commonpot user` to the root command."""
    root.add_typer(app, name="user")

"""Governance commands: `commonpot tally` (and, with the app layer, `commonpot ledger`)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from commonpot.errors import Invalid


def tally(
    ballots: Path = typer.Argument(..., help="PrefLib (.soc/.soi/.toc/.toi) or CSV ballot file."),
    method: str = typer.Option(
        ...,
        "--method",
        "-m",
        help="plurality, approval, irv, stv, schulze, borda, quadratic or majority.",
    ),
    seats: int = typer.Option(1, "--seats", help="Number of winners."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for the tie-breaking lot."),
    threshold: str = typer.Option("1/2", "--threshold", help="majority: yes share to exceed."),
    at_least: bool = typer.Option(
        False, "--at-least", help="majority: reaching the threshold suffices."
    ),
    quorum: str = typer.Option("0", "--quorum", help="majority: turnout share of eligible voters."),
    eligible: int | None = typer.Option(
        None, "--eligible", help="majority: number of eligible voters."
    ),
    budget: int | None = typer.Option(None, "--budget", help="quadratic: credits per voter."),
) -> None:
    """Count a ballot file and print the result."""
    from commonpot.governance.tally_command import count_file, result_lines

    result = count_file(
        ballots,
        method,
        seats=seats,
        seed=seed,
        threshold=threshold,
        at_least=at_least,
        quorum=quorum,
        eligible=eligible,
        budget=budget,
    )
    for line in result_lines(result, as_json):
        typer.echo(line)


ledger_app = typer.Typer(
    help="The communities' verifiable governance ledgers.", no_args_is_help=True
)


@ledger_app.command("verify")
def verify(
    community: str | None = typer.Argument(None, help="Community slug."),
    remote: str | None = typer.Option(
        None, "--remote", help="Verify a running server (its URL) using only public data."
    ),
    key: str | None = typer.Option(
        None, "--key", help="Pin the expected verifier key (vkey) instead of the server's."
    ),
    show: bool | None = typer.Option(
        None, "--progress/--no-progress", help="Progress bar on stderr (default: on a terminal)."
    ),
) -> None:
    """Recompute a ledger, check every entry, signature and the latest checkpoint."""
    from commonpot import progress
    from commonpot.cli_language import N_

    if remote:
        from commonpot.governance.remote import verify_remote_recounting

        with progress.steps(N_("Verifying"), total=1, show=show) as step:
            step(remote)
            report, recounted = verify_remote_recounting(remote, community, vkey=key)
    else:
        if not community:
            raise Invalid("Name the community to verify.", field="community")
        from commonpot.accounts import OPERATOR
        from commonpot.cli_support import transaction
        from commonpot.communities import readable_community
        from commonpot.governance import ledger, recount
        from commonpot.settings import get_settings

        with transaction() as session, progress.steps(N_("Verifying"), total=3, show=show) as step:
            found = readable_community(session, community, OPERATOR)
            # entries not yet under a checkpoint get one, as the server's next read would
            step(N_("sealing new entries"))
            ledger.seal(session, found, get_settings())
            step(N_("checking entries, signatures and the checkpoint"))
            rows = ledger.entry_rows(session, found)  # read once, for both checks
            report = ledger.verify(session, found, get_settings(), rows)
            step(N_("recounting sealed ballot boxes"))
            recounted = recount.audit([(seq, data) for seq, data, _ in rows], report)
    from commonpot.cli_language import cli_words
    from commonpot.governance.verification import printed

    out, err = printed(report, recounted, cli_words())
    for line in out:
        typer.echo(line)
    for line in err:
        typer.echo(line, err=True)
    if not err:
        return
    # exit directly: the root CLI runs click without standalone mode, which swallows Exit codes
    sys.exit(1)


vote_app = typer.Typer(help="Sign your votes with your own Ed25519 key.", no_args_is_help=True)


@vote_app.command("keygen")
def keygen(
    out: Path = typer.Option(..., "--out", help="Where to write the private key (PEM)."),
) -> None:
    """Make a personal key; register the printed public key on your profile page."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    if out.exists():
        raise Invalid("%(path)s exists; refusing to overwrite a key.", field="out", path=str(out))
    key = Ed25519PrivateKey.generate()
    out.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    out.chmod(0o600)
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    typer.echo(base64.b64encode(raw).decode())


@vote_app.command("sign")
def sign(
    key: Path = typer.Option(..., "--key", help="Your private key (PEM) from `vote keygen`."),
    community: str = typer.Option(..., "--community", help="Community slug."),
    proposal: int = typer.Option(..., "--proposal", help="Proposal number."),
    action_hash: str = typer.Option(..., "--action-hash", help="The proposal's action hash."),
    ballot: str = typer.Option(..., "--ballot", help='The ballot as JSON, e.g. {"choice":"yes"}.'),
    salt: str | None = typer.Option(
        None,
        "--salt",
        help="Sealed ballots: your 64-hex salt; the signature then covers the commitment "
        "(send the ballot in its normal form, with this salt).",
    ),
) -> None:
    """Print the signature to send with the ballot (API field `signature`)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from commonpot.governance.signing import sign_vote, vote_message
    from commonpot.parsing import loads_json, read_bytes

    parsed = loads_json(ballot, field="ballot", limit=64 * 1024)
    try:
        private = load_pem_private_key(read_bytes(key, field="key", limit=64 * 1024), None)
    except (ValueError, TypeError) as exc:
        raise Invalid("cannot read the key: %(problem)s", field="key", problem=str(exc)) from None
    if not isinstance(private, Ed25519PrivateKey) or not isinstance(parsed, dict):
        raise Invalid("need an Ed25519 key and a JSON object ballot", field="key")
    if salt is not None:
        from commonpot.governance.recount import commitment
        from commonpot.governance.secrecy import check_salt
        from commonpot.governance.signing import commit_message

        sealed = commitment(community, proposal, parsed, check_salt(salt))
        typer.echo(sign_vote(private, commit_message(community, proposal, action_hash, sealed)))
        return
    typer.echo(sign_vote(private, vote_message(community, proposal, action_hash, parsed)))


governance_app = typer.Typer(help="Proposals and grants housekeeping.", no_args_is_help=True)


@governance_app.command("advance")
def advance() -> None:
    """Open, close and expire proposals whose time has come, fund grants, sign checkpoints."""
    from sqlalchemy import select

    from commonpot.accounts import OPERATOR
    from commonpot.cli_support import transaction
    from commonpot.communities import Community
    from commonpot.governance import grants, ledger, service
    from commonpot.i18n import cli_text
    from commonpot.settings import get_settings

    settings = get_settings()
    with transaction() as session:
        for community in session.scalars(select(Community).order_by(Community.id)):
            before = {
                p.number: p.state for p in service.visible_proposals(session, community, OPERATOR)
            }
            for proposal in service.visible_proposals(session, community, OPERATOR):
                service.advance(session, community, proposal, settings)
                if before[proposal.number] != proposal.state:
                    state = cli_text(proposal.state)  # a stored term (i18n.TERMS)
                    typer.echo(f"{community.slug} #{proposal.number}: {state}")
            for grant in grants.advance_all(session, community, settings):
                typer.echo(
                    cli_text(
                        "%(community)s grant #%(number)s: funded",
                        community=community.slug,
                        number=str(grant.number),
                    )
                )
            ledger.seal(session, community, settings)


def register(app: typer.Typer) -> None:
    """Add the governance commands to the root CLI."""
    app.command("tally")(tally)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(vote_app, name="vote")
    app.add_typer(governance_app, name="governance")

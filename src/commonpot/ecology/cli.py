"""`commonpot ecology ...`: diversity ratings and impact assessment from COUNTS.csv files."""

from __future__ import annotations

import json
from typing import Any

import typer

ecology_app = typer.Typer(
    name="ecology",
    help="Biodiversity ratings and before/after impact assessments.",
    no_args_is_help=True,
)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.4f}"


@ecology_app.command("diversity")
def diversity_command(
    counts: str = typer.Argument(..., metavar="COUNTS.csv", help="sample,<species...> table"),
    as_json: bool = typer.Option(False, "--json", help="Print the spec's JSON object."),
) -> None:
    """Rate the diversity of each sample and of all samples together."""
    from commonpot.ecology.csvio import read_counts_file
    from commonpot.ecology.diversity import ALPHA_INDICES, diversity_report

    table = read_counts_file(counts)
    report = diversity_report(table.samples, table.species, table.counts)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, allow_nan=False))
        return
    width = max(len("sample"), *(len(s) for s in report.samples))
    typer.echo("  ".join(["sample".ljust(width), *(n.rjust(15) for n in ALPHA_INDICES)]))
    for name, alpha in zip(report.samples, report.alpha, strict=True):
        cells = [_show(v).rjust(15) for v in alpha.as_dict().values()]
        typer.echo("  ".join([name.ljust(width), *cells]))
    part = report.partition
    typer.echo(
        f"all samples (order 1): gamma {_show(part.gamma)} = "
        f"alpha {_show(part.alpha)} × beta {_show(part.beta)}"
    )


@ecology_app.command("impact")
def impact_command(
    before: str = typer.Argument(..., metavar="BEFORE.csv"),
    after: str = typer.Argument(..., metavar="AFTER.csv"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    token_share: float = typer.Option(
        0.01, help="A new species under this share of its sample counts as a token."
    ),
) -> None:
    """Compare two inventories of the same places and flag gamed improvements."""
    from commonpot.ecology.csvio import read_counts_file
    from commonpot.ecology.impact import assess_impact

    report = assess_impact(
        read_counts_file(before), read_counts_file(after), token_share=token_share
    )
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, allow_nan=False))
        return
    for item in [*report.samples, report.overall]:
        typer.echo(f"{item.sample}" + (f" ({item.note})" if item.note else ""))
        for change in item.changes:
            typer.echo(
                f"  {change.index:<16} {_show(change.before):>12} → {_show(change.after):>12}"
                f"  ({_show(change.delta)})"
            )
    for change in report.partition:
        typer.echo(f"{change.index:<18} {_show(change.before):>12} → {_show(change.after):>12}")
    from commonpot.ecology.explain import flag
    from commonpot.i18n import cli_text, cli_words

    words = cli_words()
    flags = report.to_json()["flags"]
    if flags:
        typer.echo(cli_text("Warning: this change looks gamed") + ":")
        for item in flags:
            typer.echo(f"- {flag(item, words)}")
    else:
        typer.echo(cli_text("No signs of gaming found."))


def _start(slug: str, as_email: str, start: str, values: dict[str, Any], wait: bool) -> None:
    """Queue a plan or assessment job as a member; print its number (and follow it)."""
    from sqlalchemy import select

    from commonpot.accounts import User, Viewer
    from commonpot.cli_support import transaction
    from commonpot.communities import readable_community
    from commonpot.ecology import jobs as ecology_jobs
    from commonpot.ecology.schemas import AssessmentIn, PlanIn, read_in
    from commonpot.errors import NotFound

    with transaction() as session:
        user = session.scalar(select(User).where(User.email == as_email.strip().lower()))
        if user is None:
            raise NotFound("--as: no account with e-mail %(email)s", field="as", email=as_email)
        viewer = Viewer(user=user)
        community = readable_community(session, slug, viewer)
        if start == "plan":
            job = ecology_jobs.start_plan(session, community, viewer, read_in(PlanIn, values))
        else:
            body = read_in(AssessmentIn, values)
            job = ecology_jobs.start_assessment(session, community, viewer, body)
        job_id = job.id
    from commonpot.i18n import cli_text

    typer.echo(cli_text("job %(id)s queued: %(url)s", id=str(job_id), url=f"/jobs/{job_id}"))
    if wait:
        from commonpot.jobs.cli import watch

        watch(job_id)


@ecology_app.command("plan")
def plan_command(
    community: str = typer.Argument(..., help="The community's slug."),
    as_email: str = typer.Option(..., "--as", help="A steward's e-mail."),
    min_plot_area: str = typer.Option("", "--min-plot-area", help="Smallest plot (m², 1)."),
    gamma_floor: str = typer.Option("", "--gamma-floor", help="Keep gamma at least this."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job until it ends."),
) -> None:
    """Draft a crop-sharing plan in the background (a worker or `serve` runs it)."""
    values = {"min_plot_area": min_plot_area, "gamma_floor": gamma_floor}
    _start(community, as_email, "plan", values, wait)


@ecology_app.command("assess")
def assess_command(
    community: str = typer.Argument(..., help="The community's slug."),
    after: str = typer.Argument(..., metavar="AFTER.csv"),
    title: str = typer.Option(..., "--title", help="What the change is called."),
    as_email: str = typer.Option(..., "--as", help="A member's e-mail."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job until it ends."),
) -> None:
    """Assess an "after" inventory against the current one, in the background."""
    from commonpot.ecology.schemas import CSV_LIMIT
    from commonpot.parsing import decode_text, read_bytes

    text = decode_text(
        read_bytes(after, field="after", limit=CSV_LIMIT), field="after", limit=CSV_LIMIT
    )
    _start(community, as_email, "assess", {"title": title, "after_csv": text}, wait)


def register(app: typer.Typer) -> None:
    """Add the `ecology` command group to the root CLI."""
    app.add_typer(ecology_app, name="ecology")

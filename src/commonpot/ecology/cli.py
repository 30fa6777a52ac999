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
    if report.flags:
        typer.echo("Warning: this change looks gamed:")
        for flag in report.flags:
            typer.echo(f"- {flag.explanation}")
    else:
        typer.echo("No signs of gaming found.")


def register(app: typer.Typer) -> None:
    """Add the `ecology` command group to the root CLI."""
    app.add_typer(ecology_app, name="ecology")

"""Command line for the redistribution network: `commonpot allocate solve INSTANCE.json`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonpot.errors import Invalid

allocate_app = typer.Typer(help="Decide who receives which offered food.", no_args_is_help=True)


@allocate_app.command("solve")
def solve(
    instance: Annotated[Path, typer.Argument(help="Instance JSON (offers, needs, params).")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the plan here.")] = None,
    explain_need: Annotated[
        str | None, typer.Option("--explain", help="Also explain this need's allocation.")
    ] = None,
    objective: Annotated[
        str, typer.Option("--objective", help="default | min-fill | fcfs")
    ] = "default",
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Processes for independent parts.")
    ] = 2,
    show: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="Progress bar on stderr (default: on a terminal)."
        ),
    ] = None,
) -> None:
    """Solve an allocation instance and write the plan as JSON (stdout without --out)."""
    from commonpot.network.allocation import OBJECTIVES, allocate
    from commonpot.network.instance import load_instance

    if objective not in OBJECTIVES:
        raise Invalid(f"--objective: must be one of {', '.join(OBJECTIVES)}", field="--objective")
    from commonpot import progress
    from commonpot.parsing import dumps_json, read_bytes

    with progress.steps("Allocating", total=6, show=show) as step:
        step("reading the instance")
        raw = read_bytes(instance, field="instance")
        plan = allocate(load_instance(raw), objective, workers=workers, progress=step)
        step("writing the plan")
        result = plan.to_dict()
        if explain_need is not None:
            from commonpot.network.explain import explain

            result["explain"] = explain(plan, explain_need)
        text = dumps_json(result, separators=(",", ":"))
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add the `allocate` command group to the root CLI."""
    app.add_typer(allocate_app, name="allocate")

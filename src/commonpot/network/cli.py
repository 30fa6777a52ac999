"""Command line for the redistribution network: `commonpot allocate solve INSTANCE.json`.

Plain invocations are answered before Typer loads (see `cli_fast.py`); this is the Typer
command for everything else (help, usage errors), running the same `run_solve`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonpot.network.cli_fast import run_solve

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
    run_solve(instance, out, explain_need, objective, workers, show)


def register(app: typer.Typer) -> None:
    """Add the `allocate` command group to the root CLI."""
    app.add_typer(allocate_app, name="allocate")

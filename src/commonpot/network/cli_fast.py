"""`commonpot allocate solve` without Typer, and the body both command paths run.

`allocate solve` is a command people wait for, so its plain forms run without Typer (whose
import, with Pydantic and Click, costs a noticeable part of the command's time): the entry
point (`commonpot.cli`) hands the arguments to `solve_without_typer`, which answers only
when every argument is one it knows and otherwise leaves the command to Typer (help, usage
errors). Both paths run the same `run_solve`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from commonpot.cli_language import N_
from commonpot.errors import DomainError, Invalid, error_line

OBJECTIVE_NAMES = ("default", "min-fill", "fcfs")
_VALUED = ("--out", "--explain", "--objective", "--workers")
# the stages `allocation.allocate` names as it starts them (a pure engine: marked here, where
# the bar that words them is drawn)
STAGES = (N_("finding candidate pairs"), N_("solving"), N_("certifying"), N_("measuring"))


def run_solve(
    instance: Path,
    out: Path | None,
    explain_need: str | None,
    objective: str,
    workers: int,
    show: bool | None,
) -> None:
    """Solve an allocation instance and write the plan as JSON (stdout without `out`)."""
    if objective not in OBJECTIVE_NAMES:
        raise Invalid(
            "--objective: must be one of %(choices)s",
            field="--objective",
            choices=", ".join(OBJECTIVE_NAMES),
        )
    from commonpot import progress
    from commonpot.network.allocation import allocate
    from commonpot.network.instance import load_instance_file

    with progress.steps(N_("Allocating"), total=6, show=show) as step:
        step(N_("reading the instance"))
        inst = load_instance_file(instance)
        plan = allocate(inst, objective, workers=workers, progress=step)  # type: ignore[arg-type]
        step(N_("writing the plan"))
        if explain_need is None:
            text = plan.to_json()
        else:
            from commonpot.network.explain import explain
            from commonpot.parsing import dumps_json

            result = plan.to_dict()
            result["explain"] = explain(plan, explain_need)
            text = dumps_json(result, separators=(",", ":"))
    if out is None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    else:
        out.write_text(text + "\n", encoding="utf-8")


def _options(argv: list[str]) -> dict[str, str] | None:
    """`--name value`, `--name=value` and the flags, or None for anything else."""
    found: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in _VALUED and name not in found:
            if not eq:
                if i + 1 >= len(argv):
                    return None
                i += 1
                value = argv[i]
            found[name] = value
        elif arg in ("--progress", "--no-progress") and "progress" not in found:
            found["progress"] = arg
        elif not arg.startswith("-") and "instance" not in found:
            found["instance"] = arg
        else:
            return None
        i += 1
    return found if "instance" in found else None


def solve_without_typer(argv: list[str]) -> bool:
    """Run `allocate solve ARGV` when every argument is a plain known one; False to leave it
    to Typer (help, unknown options, values Typer refuses). Errors exit 2 with one line."""
    found = _options(argv)
    if found is None:
        return False
    workers_text = found.get("--workers", "2")
    if not workers_text.isdigit() or not workers_text.isascii() or int(workers_text) < 1:
        return False
    flag = found.get("progress")
    try:
        run_solve(
            Path(found["instance"]),
            Path(found["--out"]) if "--out" in found else None,
            found.get("--explain"),
            found.get("--objective", "default"),
            int(workers_text),
            None if flag is None else flag == "--progress",
        )
    except DomainError as exc:
        from commonpot.i18n import cli_words

        sys.stderr.write(error_line(exc, cli_words()) + "\n")
        sys.exit(2)
    return True

"""How long a person waits for `commonpot` commands, whole process, against `python -c pass`.

Each command runs as a fresh process, as someone typing it would run it; the baseline is
the same interpreter doing nothing, measured in the same run, interleaved. Prints the
median wall time of each and its ratio to the baseline (goal: help and version <= 10x),
and the median CPU time (user + system of the child process), which a loaded, shared
machine disturbs far less than the wall time.

Every command's own help (`commonpot events --help`, ...) is timed too: what someone
exploring the command line waits for. `make setup` renders those pages once
(`commonpot/cli_help.py`), so they print without loading Typer; "through Typer" times the
same page as Typer renders it (a 79-column terminal, which the rendered pages do not serve:
Click wraps narrower than 80 columns its own way) — what every page cost before, and what
it costs after a command's source changes until the next `make setup`.

With `--baseline-src CHECKOUT` (e.g. a `git worktree` of the commit before a change), each
commonpot command also runs from that source tree in the same rounds: the before/after
figures side by side.

    .venv/bin/python benchmarks/bench_cli_startup.py [--quick] [--baseline-src CHECKOUT]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMONPOT = str(Path(sys.executable).parent / "commonpot")
BALLOTS = ROOT / "tests" / "data" / "preflib" / "00005-00000002.toi"

CASES: dict[str, list[str]] = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "commonpot --help": [COMMONPOT, "--help"],
    "commonpot version": [COMMONPOT, "version"],
    "commonpot tally --help": [COMMONPOT, "tally", "--help"],
    "commonpot tally (Burlington, IRV)": [COMMONPOT, "tally", "-m", "irv", str(BALLOTS)],
    # each domain's help (and `db`: the core's, Typer alone)
    **{
        f"commonpot {name} --help": [COMMONPOT, name, "--help"]
        for name in (
            "db",
            "user",
            "community",
            "recipes",
            "allocate",
            "ledger",
            "events",
            "ecology",
            "jobs",
            "biotumbler",
            "federation",
        )
    },
    "commonpot events --help, through Typer": ["env", "COLUMNS=79", COMMONPOT, "events", "--help"],
}


def from_checkout(command: list[str], checkout: Path) -> list[str]:
    """The same commonpot command run from another source tree."""
    code = "import sys; from commonpot.cli import main; sys.argv[0] = 'commonpot'; main()"
    return ["env", f"PYTHONPATH={checkout / 'src'}", sys.executable, "-c", code, *command[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 runs of each instead of 25")
    parser.add_argument("--baseline-src", type=Path, help="a checkout to compare with")
    args = parser.parse_args()
    runs = 5 if args.quick else 25
    cases: dict[str, list[str]] = {}
    for name, command in CASES.items():
        cases[name] = command
        if args.baseline_src is not None and command[0] == COMMONPOT:  # before, just below
            cases[f"  before: {name.removeprefix('commonpot ')}"] = from_checkout(
                command, args.baseline_src.resolve()
            )
    times: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, command in cases.items():  # interleaved: load changes hit every case alike
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            cpu[name].append(used)
    base = statistics.median(times["python -c pass (baseline)"])
    base_cpu = max(statistics.median(cpu["python -c pass (baseline)"]), 1e-3)
    print(
        f"{'command':40} {'wall ms':>8} {'x base':>7} {'CPU ms':>8} {'x base':>7}"
        f"   (medians of {runs} runs)"
    )
    for name, values in times.items():
        median = statistics.median(values)
        spent = statistics.median(cpu[name])
        print(
            f"{name:40} {median * 1000:8.1f} {median / base:7.1f} "
            f"{spent * 1000:8.1f} {spent / base_cpu:7.1f}"
        )


if __name__ == "__main__":
    main()

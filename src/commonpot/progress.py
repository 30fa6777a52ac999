"""Progress bars for long commands: on stderr, only on a terminal (or when asked for).

    with progress.steps("Loading the demo", total=9, show=show) as step:
        for name, load in loaders:
            step(name)          # "now doing this": the bar counts the steps already done
            load()

`show` is the command's `--progress/--no-progress` option: None (the default) shows the
bar when stderr is a terminal, so pipes and captured output (the byte-exact contracts of
stdout) stay as they are. rich is imported only when a bar is actually drawn, which keeps
the command line's start-up light.

The title and the steps' labels are English message ids (marked with `N_` where they are
written): a drawn bar words them in the command line's language (`cli_language`), and a
label that is no message (a file's name, a URL) reads as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Step = Callable[[str], None]


def wanted(show: bool | None) -> bool:
    """Whether to draw: as asked, else only when stderr is a terminal."""
    if show is not None:
        return show
    return sys.stderr.isatty()


def _quiet(_: str) -> None:
    return None


@contextmanager
def steps(title: str, total: int, *, show: bool | None = None) -> Iterator[Step]:
    """A bar of `total` steps; call the step function with each step's label as it starts."""
    if not wanted(show):
        yield _quiet
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from commonpot.cli_language import cli_words

    say = cli_words().gettext
    title = say(title)
    console = Console(file=sys.stderr, force_terminal=bool(show) or None)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(title, total=max(total, 1))
        begun = 0

        def step(label: str) -> None:
            nonlocal begun
            bar.update(task, completed=min(begun, total), description=f"{title}: {say(label)}")
            begun += 1

        yield step
        bar.update(task, completed=max(total, 1), description=title)

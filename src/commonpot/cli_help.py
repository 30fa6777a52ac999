"""Every command's `--help` page, rendered at setup, so that `commonpot X --help` starts at once.

`commonpot events --help` through Typer waits ~250 ms for Typer, Pydantic (Typer builds its
parameters with it) and the domain's command module: some 20 times `python -c pass`. The page
itself never changes between two runs of the same code. So `make setup` runs
`python -m commonpot.cli_help`, which renders every command's page, in every language with a
catalog, through the Typer application itself (`cli_app.run`), and writes them to
`cli-help.json` beside this module, with the size and modification time of every file the
pages were rendered from: commonpot's modules, the compiled catalogs and Typer's own.

`page(path)` answers from that file only when it can answer exactly as Typer would:
- every one of those files is as it was (edit a command, and its page comes from Typer
  again until the next `make setup`): a page can be missing, never stale;
- the terminal is at least 80 columns wide (Click wraps at 78 columns there, as when the
  pages were rendered; narrower terminals get Typer's own wrapping);
- Typer's Rich formatting is off, as `commonpot.cli_app` sets it (`TYPER_USE_RICH`).
Otherwise it answers None and the command runs through Typer as before.

This module is loaded on the way to every `--help`: the standard library's `json` and `os`
only.
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache

# typing itself is not imported: `commonpot X --help` waits for this module
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

PAGES = os.path.join(os.path.dirname(__file__), "cli-help.json")
WIDTH = 80  # Click's widest help (it wraps at this width less 2); narrower terminals differ
_RICH_OFF = ("n", "no", "f", "false", "off", "0")  # Typer's words for "no" (parse_boolean_env_var)


def _columns(environ: Mapping[str, str]) -> int:
    """The terminal's width as Click reads it (`shutil.get_terminal_size`, without loading
    shutil): COLUMNS when set, else the terminal's, else 80."""
    try:
        columns = int(environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:
        return WIDTH
    try:
        return os.get_terminal_size(stdout.fileno()).columns or WIDTH
    except (AttributeError, ValueError, OSError):
        return WIDTH


def _same(files: list[list[Any]]) -> bool:
    """Whether every file the pages were rendered from is still as it was."""
    for path, size, mtime in files:
        try:
            found = os.stat(path)
        except OSError:
            return False
        if found.st_size != size or found.st_mtime_ns != mtime:
            return False
    return True


def _read(target: str) -> dict[str, Any] | None:
    """The pages in `target`, if every file they were rendered from is as it was."""
    try:
        with open(target, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not _same(data.get("files", [])):
        return None
    return data


@lru_cache(maxsize=4)
def _pages(target: str) -> dict[str, Any] | None:
    """`_read`, once per process."""
    return _read(target)


def page(path: list[str], environ: Mapping[str, str] | None = None) -> str | None:
    """The `--help` page of the command `path` (`["events", "pairs"]`) exactly as Typer would
    print it, or None when only Typer can say (see the module's notes)."""
    env = os.environ if environ is None else environ
    if not path or any(word.startswith("-") for word in path):
        return None
    if env.get("TYPER_USE_RICH", "0").lower() not in _RICH_OFF:
        return None
    if _columns(env) < WIDTH:
        return None
    found = _pages(PAGES)
    if found is None:
        return None
    from commonpot.cli_language import requested

    language = requested(env).split("_")[0].lower()
    text = found["pages"].get(language, {}).get(" ".join(path))
    return text if isinstance(text, str) else None


def group_page(path: list[str], environ: Mapping[str, str] | None = None) -> str | None:
    """The page of the command group `path` (`["events"]`), which `commonpot events` prints
    alone; None for a command that runs, or when only Typer can say."""
    found = _pages(PAGES)
    if found is None or " ".join(path) not in found.get("groups", []):
        return None
    return page(path, environ)


# --- rendering (at setup: loads Typer and every domain's commands) ---------------------------


def command_paths(*, groups: bool = False) -> list[list[str]]:
    """Every command and subcommand, as typed before `--help` (`["events", "pairs"]`); with
    `groups`, only those that group others (`["events"]`)."""
    import typer

    from commonpot import cli
    from commonpot.cli_app import build_app

    def under(command: Any, path: list[str]) -> list[list[str]]:
        subs = getattr(command, "commands", None)
        here = [path] if subs is not None or not groups else []
        return here + [p for name, sub in (subs or {}).items() for p in under(sub, [*path, name])]

    return under(typer.main.get_group(build_app(cli.ALL_DOMAINS)), [])[1:]


def render(paths: list[list[str]]) -> dict[str, str]:
    """Each path's page in this process's language, as `commonpot PATH --help` prints it
    through Typer (call with COLUMNS=80 and Rich off, as `main` does)."""
    import contextlib
    import io

    from commonpot.cli import domains_for
    from commonpot.cli_app import run

    pages = {}
    for path in paths:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                run([*path, "--help"], domains_for(path))
            except SystemExit as stop:
                if stop.code not in (0, None):
                    said = f"commonpot {' '.join(path)} --help: exit {stop.code}"
                    raise RuntimeError(said) from None
        pages[" ".join(path)] = out.getvalue()
    return pages


def _render_language() -> None:
    """In a child process whose environment names the language: print its pages and the
    files they came from, as JSON."""
    pages = render(command_paths())
    here = os.path.dirname(os.path.abspath(__file__))
    files = {
        os.path.abspath(file)
        for name, module in list(sys.modules.items())
        if (name == "commonpot" or name.startswith(("commonpot.", "typer")))
        and (file := getattr(module, "__file__", None))
    }
    catalogs = os.path.join(here, "locale")
    for root, _, names in os.walk(catalogs):
        files |= {os.path.join(root, name) for name in names if name.endswith(".mo")}
    groups = [" ".join(path) for path in command_paths(groups=True)]
    json.dump({"pages": pages, "groups": groups, "files": sorted(files)}, sys.stdout)


def build(target: str = PAGES) -> int:
    """Render every page in every language (one child process each: a process speaks one
    language) and write them to `target`; the number of pages written."""
    import subprocess

    from commonpot.cli_language import SUPPORTED

    pages: dict[str, dict[str, str]] = {}
    files: set[str] = set()
    groups: list[str] = []
    for language in SUPPORTED:
        env = {**os.environ, "LANGUAGE": language, "COLUMNS": str(WIDTH), "TYPER_USE_RICH": "0"}
        done = subprocess.run(
            [sys.executable, "-c", "from commonpot.cli_help import _render_language as r; r()"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found = json.loads(done.stdout)
        pages[language] = found["pages"]
        groups = found["groups"]
        files |= set(found["files"])
    stamped = []
    for path in sorted(files):
        stat = os.stat(path)
        stamped.append([path, stat.st_size, stat.st_mtime_ns])
    temporary = target + ".tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        data = {"files": stamped, "groups": groups, "pages": pages}
        json.dump(data, file, ensure_ascii=False)
    os.replace(temporary, target)
    return sum(len(each) for each in pages.values())


def fresh(target: str = PAGES) -> bool:
    """Whether `target` holds pages in every language, rendered from the files as they are."""
    from commonpot.cli_language import SUPPORTED

    data = _read(target)
    return data is not None and set(data["pages"]) == set(SUPPORTED)


if __name__ == "__main__":
    if fresh():
        sys.stdout.write(f"cli-help: the help pages in {PAGES} are up to date\n")
    else:
        written = build()
        sys.stdout.write(f"cli-help: {written} help pages written to {PAGES}\n")

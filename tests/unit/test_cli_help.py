"""Help pages rendered at setup (`commonpot.cli_help`): the very bytes Typer prints, without
Typer, and never once a file they came from has changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from commonpot import cli_help

# Typer prints each page (the entry point's own path, the pages file out of the way), or
# the entry point answers from the pages file named in argv[1]; each page's text is collected
# with the modules loaded, as JSON
PROBE = """
import contextlib, io, json, sys
import commonpot.cli_help as help_pages
help_pages.PAGES = sys.argv[1]
from commonpot.cli import main
pages = {}
for path in json.loads(sys.argv[2]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main([*path, *(word for word in sys.argv[3:] if word)])
        except SystemExit as stop:
            assert stop.code in (0, None), (path, stop.code)
    pages[" ".join(path)] = out.getvalue()
print(json.dumps({"pages": pages, "typer": "typer" in sys.modules}))
"""


def _env(language: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    env.pop("TYPER_USE_RICH", None)
    return {**env, "LANGUAGE": language, "COLUMNS": "80", **more}


def _probe(
    pages_file: Path | str, paths: list[list[str]], env: dict[str, str], *after: str
) -> dict[str, Any]:
    """Each path's output (with `after` appended: `--help` unless told otherwise)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(pages_file), json.dumps(paths), *(after or ["--help"])],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("help") / "cli-help.json"
    written = cli_help.build(str(target))
    assert written == 2 * len(cli_help.command_paths())
    return target


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_is_what_typer_prints_and_comes_without_typer(
    built: Path, language: str
) -> None:
    paths = cli_help.command_paths()
    assert len(paths) > 50 and ["events", "pairs"] in paths and ["db", "upgrade"] in paths
    live = _probe("/nonexistent", paths, _env(language))
    kept = _probe(built, paths, _env(language))
    assert live["typer"] is True  # the pages file out of the way: Typer printed them
    assert kept["typer"] is False  # from the pages file: Typer never loaded
    assert kept["pages"] == live["pages"]
    usage = "Uso: commonpot" if language == "es" else "Usage: commonpot"
    assert all(text.startswith(f"{usage} {name}") for name, text in kept["pages"].items())
    # Click's plain form, as `commonpot --help` prints its own (no Rich panels)
    assert not any("╭" in text for text in kept["pages"].values())


def test_a_group_named_alone_prints_its_page_as_its_help_does(built: Path) -> None:
    """`commonpot events` asks what `events` can do: the page of `commonpot events --help`
    (exit 0, as `commonpot` alone prints its own), from the pages file and from Typer alike,
    whether or not the group was declared `no_args_is_help` (biotumbler was not)."""
    groups = cli_help.command_paths(groups=True)
    assert ["events"] in groups and ["biotumbler"] in groups and ["events", "list"] not in groups
    helped = _probe(built, groups, _env("es"))
    kept = _probe(built, groups, _env("es"), "")
    live = _probe("/nonexistent", groups, _env("es"), "")
    assert kept["typer"] is False and live["typer"] is True
    assert kept["pages"] == live["pages"] == helped["pages"]
    assert kept["pages"]["biotumbler"].startswith("Uso: commonpot biotumbler [OPTIONS] COMMAND")


def test_the_entry_point_prints_a_kept_page_and_exits_0(built: Path) -> None:
    probe = (
        "import sys; import commonpot.cli_help as h; h.PAGES = sys.argv[1]\n"
        "from commonpot.cli import main\n"
        "sys.argv = ['commonpot', 'events', 'list', '--help']\n"
        "main(); print('typer' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(built)],
        check=False,
        capture_output=True,
        text=True,
        env=_env("es"),
    )
    assert done.returncode == 0
    assert done.stdout.startswith("Uso: commonpot events list")
    assert "Muestra esta ayuda y termina." in done.stdout
    assert done.stderr.strip() == "False"


def _stale_copy(built: Path, tmp_path: Path, change: str) -> Path:
    """A copy of the pages whose record of one source file no longer matches it."""
    data = json.loads(built.read_text(encoding="utf-8"))
    events_cli = next(entry for entry in data["files"] if entry[0].endswith("events/cli.py"))
    if change == "size":
        events_cli[1] += 1
    elif change == "time":
        events_cli[2] -= 1
    else:
        events_cli[0] = str(tmp_path / "gone.py")
    target = tmp_path / "cli-help.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.mark.parametrize("change", ["size", "time", "gone"])
def test_a_changed_source_file_sends_every_page_back_to_typer(
    built: Path, tmp_path: Path, change: str
) -> None:
    stale = _stale_copy(built, tmp_path, change)
    found = _probe(stale, [["events", "list"]], _env("en"))
    assert found["typer"] is True  # not a page from the stale file
    assert found["pages"]["events list"].startswith("Usage: commonpot events list")
    assert cli_help._read(str(stale)) is None
    assert cli_help._read(str(built)) is not None


def test_pages_answer_only_where_they_are_exactly_typers(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_help, "PAGES", str(built))
    wide = {"LANGUAGE": "es", "COLUMNS": "120"}
    page = cli_help.page(["events", "pairs"], wide)
    assert page is not None and page.startswith("Uso: commonpot events pairs")
    english = cli_help.page(["events", "pairs"], {"LANG": "en_GB.UTF-8", "COLUMNS": "80"})
    assert english is not None and english.startswith("Usage: commonpot events pairs")
    assert cli_help.page(["events", "pairs"], {**wide, "TYPER_USE_RICH": "off"}) == page
    # Click wraps narrower terminals its own way; Rich formats its own way
    assert cli_help.page(["events", "pairs"], {**wide, "COLUMNS": "79"}) is None
    assert cli_help.page(["events", "pairs"], {**wide, "TYPER_USE_RICH": "1"}) is None
    # only a command's own page: no options before --help, no unknown commands
    assert cli_help.page(["events", "--verbose"], wide) is None
    assert cli_help.page(["events", "nosuch"], wide) is None
    assert cli_help.page([], wide) is None


def test_no_pages_file_means_typer_answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli_help, "PAGES", str(tmp_path / "missing.json"))
    assert cli_help.page(["events"], {"COLUMNS": "80"}) is None
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(cli_help, "PAGES", str(broken))
    assert cli_help.page(["events"], {"COLUMNS": "80"}) is None
    assert not cli_help.fresh(str(broken))

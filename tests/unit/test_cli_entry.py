"""The command line's light entry point: instant help and version, domains loaded on demand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from commonpot import __version__, cli
from commonpot.cli_app import build_app


def _registered(app: typer.Typer) -> dict[str, str]:
    group = typer.main.get_group(app)
    return {
        name: (command.help or command.short_help or "").strip().splitlines()[0]
        for name, command in group.commands.items()
    }


def test_the_table_matches_what_the_domains_register() -> None:
    real = _registered(build_app(cli.ALL_DOMAINS))
    assert {name: text for name, (_, text) in cli.COMMANDS.items()} == real


@pytest.mark.parametrize("domain", cli.ALL_DOMAINS)
def test_each_domain_owns_the_commands_the_table_gives_it(domain: str) -> None:
    core = set(_registered(build_app(())))
    added = set(_registered(build_app((domain,)))) - core
    assert added == {name for name, (owner, _) in cli.COMMANDS.items() if owner == domain}


def test_help_and_version_answer_without_loading_the_application(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli.main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("Usage: commonpot")
    for name in cli.COMMANDS:
        assert f"\n  {name} " in out
    cli.main(["version"])
    assert capsys.readouterr().out.strip() == __version__
    probe = (
        "import sys; from commonpot.cli import main; main(['--help']); main(['version']); "
        "print(sorted(m for m in ('typer', 'sqlalchemy', 'fastapi', 'babel', 'commonpot.cli_app') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


# a probe's first line: help pages come from Typer, not from those rendered at setup
THROUGH_TYPER = "import commonpot.cli_help; commonpot.cli_help.PAGES = '/nonexistent'\n"


def test_a_command_loads_only_its_own_domain() -> None:
    probe = (
        "import sys\n"
        f"{THROUGH_TYPER}"
        "from commonpot.cli import main\n"
        "try:\n"
        "    main(['tally', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('commonpot.governance.cli', 'commonpot.ecology.cli', "
        "'commonpot.recipes.cli', 'commonpot.network.cli') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['commonpot.governance.cli']"


# what a command's help must not wait for: the ORM, the web framework, the settings'
# validation, the numeric engines, password hashing
HEAVY = (
    "sqlalchemy",
    "fastapi",
    "pydantic_settings",
    "numpy",
    "scipy",
    "ortools",
    "argon2",
    "commonpot.models",
)


def _help_paths() -> list[list[str]]:
    """Every command and every subcommand, as typed before `--help`."""

    def under(command: Any, path: list[str]) -> list[list[str]]:
        subs = getattr(command, "commands", {})
        return [path] + [p for name, sub in subs.items() for p in under(sub, [*path, name])]

    return under(typer.main.get_group(build_app(cli.ALL_DOMAINS)), [])[1:]


def test_every_commands_help_answers_without_the_orm_or_the_engines() -> None:
    """`commonpot COMMAND [SUB] --help` loads only the Typer application and the command's
    own module: a domain's engines, models and settings load when a command runs."""
    paths = _help_paths()
    assert len(paths) > 50 and ["events", "pairs"] in paths and ["ecology", "assess"] in paths
    probe = (
        "import contextlib, io, json, sys\n"
        f"{THROUGH_TYPER}"
        "from commonpot.cli import main\n"
        f"heavy = {HEAVY!r}\n"
        "loaded, pages = {}, 0\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        try:\n"
        "            main([*path, '--help'])\n"
        "        except SystemExit as stop:\n"
        "            assert stop.code in (0, None), (path, stop.code)\n"
        "    pages += 'Usage: commonpot ' + ' '.join(path) in out.getvalue()\n"
        "    now = [m for m in heavy if m in sys.modules]\n"
        "    if now:\n"
        "        loaded[' '.join(path)] = now\n"
        "        break\n"
        "print(json.dumps({'loaded': loaded, 'pages': pages}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(paths)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] == {}
    assert found["pages"] == len(paths)  # each help page was printed, not an error


def test_an_unknown_command_is_a_usage_error_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["allocat"])
    assert exited.value.code == 2
    assert "allocat" in capsys.readouterr().err


def test_ledger_commands_open_a_narrow_database_without_loading_other_domains(
    tmp_path: Path,
) -> None:
    """`commonpot ledger verify` loads no other domain's code (start-up) and still verifies."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    env = {**os.environ, "COMMONPOT_DATABASE_URL": url, "COMMONPOT_DATA_DIR": str(tmp_path)}
    from commonpot import migrate

    migrate.upgrade(url)
    probe = (
        "import sys\n"
        "from commonpot.cli import main\n"
        "try:\n"
        "    main(['ledger', 'verify', 'nowhere'])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
        "print(sorted(m for m in ('commonpot.recipes', 'commonpot.events', 'commonpot.network', "
        "'commonpot.ecology', 'commonpot.federation', 'commonpot.jobs', 'fastapi', "
        "'commonpot.models') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    lines = done.stdout.strip().splitlines()
    assert lines[-2:] == ["exit 2", "[]"]
    assert "nowhere" in done.stderr


def speak(monkeypatch: pytest.MonkeyPatch, locale: str) -> None:
    """The command line's language, as its environment would set it."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", locale)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["allocate", "solve", "plan.json", "--workers", "0"],
            "error: --workers: must be at least 1 (see 'commonpot allocate solve --help')",
        ),
        (
            ["allocate", "solve", "plan.json", "--workers", "many"],
            "error: --workers: must be a whole number (see 'commonpot allocate solve --help')",
        ),
        (
            ["events", "list"],
            "error: community: required, but not given (see 'commonpot events list --help')",
        ),
        (
            ["events", "list", "riverside", "--bogus"],
            "error: --bogus: no such option (see 'commonpot events list --help')",
        ),
    ],
)
def test_a_usage_error_is_one_line_naming_the_field(
    args: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Typer's own refusals (a bad value, a missing argument, an unknown option) end like
    every other: exit code 2 and one `error:` line that names the field."""
    with pytest.raises(SystemExit) as ended:
        cli.main(args)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == line
    assert "Usage:" not in err and "Traceback" not in err


def test_a_usage_error_speaks_the_command_lines_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, "es_ES.UTF-8")
    with pytest.raises(SystemExit) as ended:
        cli.main(["events", "list", "riverside", "--bogus"])
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == (
        "error: --bogus: no existe esa opción (véase 'commonpot events list --help')"
    )


def test_the_systems_own_words_are_the_readers_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the operating system or the JSON decoder says inside our sentence is in Spanish
    for a Spanish reader (the catalog words the usual ones); the rest of the line too."""
    speak(monkeypatch, "es_ES.UTF-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"offers" []}')
    with pytest.raises(SystemExit) as ended:
        cli.main(["allocate", "solve", str(broken)])
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == (
        "error: instance: no es JSON válido (línea 1, columna 11: se esperaba el separador ':')"
    )
    plan = tmp_path / "plan.json"
    plan.write_text('{"offers": [], "needs": []}')
    nowhere = tmp_path / "no" / "such" / "plan.json"
    with pytest.raises(SystemExit) as ended:
        cli.main(["allocate", "solve", str(plan), "--out", str(nowhere)])
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {nowhere}: No existe el archivo o la carpeta"
    )
    speak(monkeypatch, "C.UTF-8")
    with pytest.raises(SystemExit):
        cli.main(["allocate", "solve", str(broken)])
    assert capsys.readouterr().err.strip() == (
        "error: instance: not valid JSON (line 1, column 11: Expecting ':' delimiter)"
    )


def test_every_help_text_has_its_spanish() -> None:
    """Each command's and option's help is a message id of the catalog, with a Spanish text
    (a new option without one fails here)."""
    from babel.messages.pofile import read_po

    from commonpot.cli_app import help_texts

    po = Path(cli.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    command = typer.main.get_command(build_app(cli.ALL_DOMAINS))
    texts = {item.help for item in help_texts(command) if item.help}
    assert len(texts) > 100
    missing = sorted(t for t in texts if not (catalog.get(t) and catalog.get(t).string))
    assert missing == []


def test_help_speaks_the_command_lines_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(monkeypatch, "es_ES.UTF-8")
    cli.main(["--help"])
    top = capsys.readouterr().out
    assert top.startswith("Uso: commonpot")
    assert "Comandos:" in top and "Commands:" not in top
    _, english = cli.COMMANDS["events"]
    assert english not in top
    cli.main(["events", "--help"])  # help is an answer, not an error: no exit code
    page = capsys.readouterr().out
    assert "events" in page and english not in page
    # Typer's frame too, where Typer lets it be worded
    assert "Opciones" in page and "Muestra esta ayuda y termina." in page
    assert "Options" not in page and "Show this message" not in page
    assert "Uso: commonpot events" in page and "Usage:" not in page  # Typer writes it fixed
    speak(monkeypatch, "C.UTF-8")
    cli.main(["--help"])
    assert english in capsys.readouterr().out
    cli.main(["events", "--help"])
    assert "Usage: commonpot events" in capsys.readouterr().out

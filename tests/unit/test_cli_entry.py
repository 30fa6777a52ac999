"""The command line's light entry point: instant help and version, domains loaded on demand."""

from __future__ import annotations

import subprocess
import sys

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
        "print(sorted(m for m in ('typer', 'sqlalchemy', 'fastapi', 'commonpot.cli_app') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_command_loads_only_its_own_domain() -> None:
    probe = (
        "import sys\n"
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


def test_an_unknown_command_is_a_usage_error_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["allocat"])
    assert exited.value.code == 2
    assert "allocat" in capsys.readouterr().err

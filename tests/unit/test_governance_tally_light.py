"""`commonpot tally` has a light path (no Typer): it must agree with the Typer command.

Each command line runs through both the light path (`governance.tally_command.run`) and
the Typer application (`cli_app.run`), and the two must print the same bytes and exit with
the same code; command lines only Typer can answer (help, unknown or malformed options) are
handed to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from commonpot.cli_app import run as typer_run
from commonpot.governance import tally_command
from tests.factories.governance import BURLINGTON


def _light(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = tally_command.run(args)
    assert code is not None, "the light path should have taken this command line"
    out = capsys.readouterr()
    return code, out.out, out.err


def _full(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        typer_run(["tally", *args], ("governance",))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "ranked": ("r.csv", "A>B>C\nB>A\nC>B=A\nA\nB>C\n" * 3 + "C\n"),
        "stv": ("s.csv", "A>B\n" * 6 + "C\n" * 2 + "B\n"),
        "approval": ("a.csv", "A;B\nB\nC;A\n"),
        "majority": ("m.csv", "yes\nyes\nno\nabstain\n"),
        "quadratic": ("q.csv", "A=9;B=16\nA=16\n"),
        "tie": ("t.csv", "A\nB\n"),
        "bad_csv": ("bad.csv", "A>B\nB>>A\n"),
        "bad_toi": ("bad.toi", "# ALTERNATIVE NAME 1: A\n1: 1\n1: 2\n"),
        "empty": ("e.csv", "# nothing\n"),
        "latin1": ("l.csv", "Jos\xe9>Ana\n"),
    }
    out: dict[str, Path] = {}
    for key, (name, text) in made.items():
        path = tmp_path / name
        if key == "latin1":
            path.write_bytes(text.encode("latin-1"))
        else:
            path.write_text(text, encoding="utf-8")
        out[key] = path
    out["missing"] = tmp_path / "none.csv"
    out["folder"] = tmp_path
    return out


CASES: list[tuple[str, list[str]]] = [
    ("burlington", ["--method", "irv", "{file}", "--json"]),
    ("burlington", ["-m", "irv", "{file}"]),
    ("burlington", ["-m", "SCHULZE", "{file}"]),
    ("burlington", ["{file}", "--method=plurality", "--json"]),
    ("burlington", ["-m", "borda", "{file}"]),
    ("burlington", ["-m", "approval", "{file}", "--seats", "2"]),
    ("ranked", ["-m", "irv", "{file}", "--seed", "7"]),
    ("ranked", ["-m", "schulze", "{file}", "--json", "--seed", "11"]),
    ("stv", ["-m", "stv", "{file}", "--seats", "2", "--json"]),
    ("stv", ["-m", "stv", "{file}", "--seats=2"]),
    ("approval", ["-m", "approval", "{file}", "--seed", "11"]),
    ("majority", ["-m", "majority", "{file}", "--threshold", "2/3", "--at-least", "--json"]),
    ("majority", ["-m", "majority", "{file}", "--quorum", "1/2", "--eligible", "10"]),
    ("majority", ["-m", "majority", "{file}", "--threshold", "x"]),
    ("majority", ["-m", "majority", "{file}", "--quorum", "1/0"]),
    ("quadratic", ["-m", "quadratic", "{file}", "--json"]),
    ("quadratic", ["-m", "quadratic", "{file}", "--budget", "10", "--seed", "1"]),
    ("tie", ["-m", "plurality", "{file}", "--seed", "3"]),
    ("bad_csv", ["-m", "irv", "{file}"]),
    ("bad_toi", ["-m", "irv", "{file}"]),
    ("ranked", ["-m", "dictator", "{file}"]),
    ("ranked", ["-m", "irv", "{file}", "--seats", "0"]),
    ("empty", ["-m", "irv", "{file}"]),
    ("latin1", ["-m", "irv", "{file}"]),
    ("missing", ["-m", "irv", "{file}"]),
    ("folder", ["-m", "irv", "{file}"]),
]


@pytest.mark.parametrize(("key", "template"), CASES)
def test_light_and_typer_paths_agree(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    key: str,
    template: list[str],
) -> None:
    path = BURLINGTON if key == "burlington" else files[key]
    args = [arg.replace("{file}", str(path)) for arg in template]
    light = _light(args, capsys)
    full = _full(args, capsys)
    assert light == full
    code, out, err = light
    if code:
        assert code == 2
        assert out == ""
        assert len(err.strip().splitlines()) == 1
        assert err.startswith("error: ")
    else:
        assert out.strip()
        assert err == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-m", "irv"],
        ["a.csv"],
        ["-m", "irv", "a.csv", "b.csv"],
        ["-m", "irv", "a.csv", "--seats", "two"],
        ["-m", "irv", "a.csv", "--seats"],
        ["-m", "irv", "a.csv", "--seats", "-1"],
        ["-m", "irv", "a.csv", "--json=yes"],
        ["-mirv", "a.csv"],
        ["-m", "irv", "--", "a.csv"],
        ["-m", "irv", "a.csv", "--verbose"],
    ],
)
def test_what_only_typer_can_answer_is_left_to_it(args: list[str]) -> None:
    assert tally_command.parse(args) is None


def test_the_entry_point_counts_without_typer_pydantic_or_sqlalchemy() -> None:
    probe = (
        "import sys\n"
        "from commonpot.cli import main\n"
        f"main(['tally', '-m', 'irv', {str(BURLINGTON)!r}, '--json'])\n"
        "print(sorted(m for m in ('typer', 'click', 'pydantic', 'sqlalchemy', 'numpy', "
        "'commonpot.cli_app') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=os.environ
    )
    lines = done.stdout.strip().splitlines()
    assert '"winners": ["Bob Kiss"]' in lines[0]
    assert lines[-1] == "[]"


def test_usage_errors_still_come_from_typer(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from commonpot.cli import main\n"
        "try:\n"
        f"    main(['tally', {str(BURLINGTON)!r}])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
        "print('typer' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], check=False, capture_output=True, text=True
    )
    assert done.stdout.strip().splitlines() == ["exit 2", "True"]
    assert "--method" in done.stderr

"""Long commands draw a progress bar on stderr only when asked (or on a terminal).

Under a pipe (as here, where stderr is captured) they stay quiet by default, and the bar
never changes what goes to stdout: the output contracts stay byte-exact.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from commonpot.db import Database
from commonpot.i18n import Reader
from commonpot.settings import Settings, get_settings
from tests.factories.accounts import make_world
from tests.factories.cli import run_cli
from tests.factories.governance import make_proposal, vote

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "recipes"
INSTANCE = {
    "offers": [{"id": "o1", "category": "veg", "quantity": 3, "lat": 52.0, "lon": 5.0}],
    "needs": [
        {"id": "n1", "category": "veg", "quantity": 2, "lat": 52.01, "lon": 5.0},
        {"id": "n2", "category": "veg", "quantity": 2, "lat": 52.02, "lon": 5.0},
    ],
}


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMONPOT_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_allocate_solve_bar_only_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(INSTANCE))
    code, quiet_out, quiet_err = run_cli(capsys, "allocate", "solve", str(src))
    assert code == 0
    assert quiet_err == ""  # piped: no bar
    code, out, err = run_cli(capsys, "allocate", "solve", str(src), "--progress")
    assert code == 0
    assert out == quiet_out  # the plan on stdout is byte for byte the same
    assert "Allocating" in err
    assert "6/6" in err  # every stage, the last one included, is counted
    code, out, err = run_cli(capsys, "allocate", "solve", str(src), "--no-progress")
    assert (code, out, err) == (0, quiet_out, "")


def test_ledger_verify_bar_keeps_stdout(
    db: Database, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    w = make_world(db)
    number = make_proposal(db, w.steward, "publicville", cli_env, rules={"open_results": True})
    vote(db, w.member, "publicville", number, {"choice": "yes"}, cli_env)
    code, quiet_out, quiet_err = run_cli(capsys, "ledger", "verify", "publicville")
    assert code == 0
    assert quiet_out.startswith("ok: ")
    assert quiet_err == ""
    code, out, err = run_cli(capsys, "ledger", "verify", "publicville", "--progress")
    assert (code, out) == (0, quiet_out)
    assert "Verifying" in err
    assert "3/3" in err


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The command's data folder (its job queue) in the test's folder, not the checkout's."""
    monkeypatch.setenv("COMMONPOT_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    return tmp_path / "var"


def test_recipes_import_counts_files(
    cli_db: Database, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_world(cli_db)
    files = [str(FIXTURES / "heritage.jsonld"), str(FIXTURES / "microdata.html")]
    code, out, err = run_cli(
        capsys, "recipes", "import", *files, "--community", "publicville", "--progress"
    )
    assert code == 0, err
    assert len(out.splitlines()) >= 2  # one line per stored recipe, as without the bar
    assert "Importing" in err
    assert "2/2" in err


def test_demo_load_is_quiet_when_piped_and_counts_domains_when_asked(
    cli_db: Database,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In the command line's language: the bar and the summary (its notes too) in Spanish
    under LANG=es_ES.UTF-8, in English by default."""
    from commonpot import demo

    _locale(monkeypatch, "es_ES.UTF-8")
    code, out, err = run_cli(capsys, "demo", "load", "--progress")
    assert code == 0, err
    es = Reader("es")
    loaded = "Demo loaded: riverside (public, 'Riverside Biodome') and hillside (private)."
    assert es.gettext(loaded) != loaded
    assert out.startswith(es.gettext(loaded) + "\n")
    sign_in = es.gettext("Sign in at /login with any of these (password '%(password)s'):")
    assert sign_in % {"password": demo.DEMO_PASSWORD} in out
    assert f"({es.gettext('instance administrator')})" in out
    for english in ("recipes: ", "Network: ", "governance: ", "events: ", "ecology: "):
        assert f"\n  {english}" not in out  # every domain's note is worded too
    assert "\n  " + es.gettext("no recipes") not in out
    assert len(out.splitlines()) == 8 + 8  # the heading, sign-ins, one note per domain
    assert es.gettext("Loading the demo") in err and "Loading the demo" not in err
    assert f"{demo.steps()}/{demo.steps()}" in err
    _locale(monkeypatch, "C.UTF-8")
    code, again, err = run_cli(capsys, "demo", "load")  # already loaded: says so, quietly
    assert code == 0
    assert again == (
        "Demo data is already loaded (use --force to add it again on an empty database).\n"
    )
    assert err == ""


def test_bars_speak_the_command_lines_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(INSTANCE))
    code, english, _ = run_cli(capsys, "allocate", "solve", str(src), "--no-progress")
    _locale(monkeypatch, "es_ES.UTF-8")
    code, out, err = run_cli(capsys, "allocate", "solve", str(src), "--progress")
    assert (code, out) == (0, english)  # the plan is data: the same bytes in every language
    es = Reader("es")
    assert es.gettext("Allocating") in err and "Allocating" not in err
    assert "6/6" in err


def test_step_labels_are_worded_as_they_are_drawn(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonpot import progress

    es = Reader("es")
    _locale(monkeypatch, "es_ES.UTF-8")
    with progress.steps("Verifying", total=2, show=True) as step:
        step("sealing new entries")
        time.sleep(0.4)  # rich redraws the bar ten times a second
        step("pozole.json")  # a label that is no message (a file's name) reads as it is
        time.sleep(0.4)
    err = capsys.readouterr().err
    assert f"{es.gettext('Verifying')}: {es.gettext('sealing new entries')}" in err
    assert f"{es.gettext('Verifying')}: pozole.json" in err
    assert "sealing new entries" not in err


def _locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)

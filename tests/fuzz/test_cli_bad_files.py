"""Every CLI command that reads a file, fed the bad-file corpus: exit 2, one line, no traceback.

Commands run in-process through `commonpot.cli.main`, so any exception other than the
domain errors `main` maps to exit 2 escapes and fails the test (a traceback, for a person).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonpot.db import Database
from commonpot.recipes.models import Recipe
from commonpot.settings import get_settings
from tests.factories.accounts import make_world
from tests.factories.cli import run_cli as run
from tests.fuzz.corpus import (
    BAD_NUMBERS,
    BIG_INT,
    DEEP,
    GENERIC,
    JSON_DOCUMENT,
    RECIPE_NUMBERS,
    Case,
    csv_cases,
    html_with,
    huge_file,
    valid_instance,
    valid_recipe,
    wrong_types,
)

MAX_ERROR_LINE = 600


def assert_refused(code: int, out: str, err: str, case: str) -> None:
    """Exit 2 with exactly one short `error:` line on stderr."""
    assert code == 2, f"{case}: exit {code}, out={out[:200]!r}, err={err[:200]!r}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"{case}: {err[:500]!r}"
    assert lines[0].startswith("error: "), f"{case}: {lines[0][:200]!r}"
    assert len(lines[0]) < MAX_ERROR_LINE, f"{case}: error line of {len(lines[0])} chars"
    assert "Traceback" not in err


def assert_clean(code: int, out: str, err: str, case: str) -> None:
    """Either refused properly (exit 2) or accepted (exit 0) with finite JSON-safe output."""
    if code == 2:
        assert_refused(code, out, err, case)
        return
    assert code == 0, f"{case}: exit {code}, err={err[:300]!r}"
    for word in ("NaN", "Infinity", "inf"):
        assert f": {word}" not in out and f":{word}" not in out, f"{case}: {word} printed"


def _no_constants(name: str) -> None:
    raise AssertionError(f"{name} printed as JSON")


# --- commonpot tally -------------------------------------------------------------------------

TALLY_TEXT = [
    *GENERIC,
    *[
        case
        for case in csv_cases("A", "B", [(f"credits_{n}", f"A={v}") for n, v in BAD_NUMBERS])
        if case.name != "header_only"  # ballot files have no header: "A" is one ballot
    ],
    Case("ranked_field_200k", ('"' + "x" * 200_000 + '"\nA\n').encode()),
    Case("comment_then_nothing", b"# only a comment\n\n"),
]
PREFLIB = "# DATA TYPE: soi\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n"
PREFLIB_CASES = [
    Case("alt_superscript", b"# ALTERNATIVE NAME \xc2\xb2: A\n1: 1\n"),
    Case("count_superscript", (PREFLIB + "\u00b2: 1,2\n").encode()),
    Case("count_big", (PREFLIB + f"{BIG_INT}: 1,2\n").encode()),
    Case("alt_big", (PREFLIB + f"1: {BIG_INT}\n").encode()),
    Case("alt_name_big", f"# ALTERNATIVE NAME {BIG_INT}: A\n1: 1\n".encode()),
    Case("declared_voters_big", (f"# NUMBER VOTERS: {BIG_INT}\n" + PREFLIB + "1: 1\n").encode()),
    Case("empty_preflib", PREFLIB.encode()),
    *GENERIC,
]


@pytest.mark.parametrize("method", ["plurality", "quadratic", "majority"])
@pytest.mark.parametrize("case", TALLY_TEXT, ids=lambda c: c.name)
def test_tally_refuses_bad_csv(
    case: Case, method: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.write(tmp_path, ".csv")
    code, out, err = run(capsys, "tally", "-m", method, str(path))
    if case.name.startswith("credits_") and method != "quadratic":
        assert_clean(code, out, err, case.name)  # "A=²" is a candidate name elsewhere
    else:
        assert_refused(code, out, err, case.name)


@pytest.mark.parametrize("case", PREFLIB_CASES, ids=lambda c: c.name)
def test_tally_refuses_bad_preflib(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.write(tmp_path, ".soi")
    assert_refused(*run(capsys, "tally", "-m", "irv", str(path)), case.name)


def test_tally_refuses_huge_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = huge_file().write(tmp_path, ".csv")
    code, out, err = run(capsys, "tally", "-m", "plurality", str(path))
    assert_refused(code, out, err, "huge")
    assert "limit" in err


def test_tally_bom_does_not_change_the_winner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ballots = tmp_path / "excel.csv"
    ballots.write_bytes("\ufeffA\nA\nA\nB\nB\nB\nA\n".encode())
    code, out, _ = run(capsys, "tally", "-m", "plurality", str(ballots), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["winners"] == ["A"]
    assert result["rounds"][0]["counts"] == {"A": 4, "B": 3}
    majority = tmp_path / "majority.csv"
    majority.write_bytes("\ufeffyes\nyes\nno\n".encode())
    code, out, err = run(capsys, "tally", "-m", "majority", str(majority), "--json")
    assert code == 0, err
    assert json.loads(out)["winners"] == ["yes"]


def test_empty_ballot_file_is_an_error_not_a_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for method in ("plurality", "majority", "stv"):
        code, out, err = run(capsys, "tally", "-m", method, str(empty))
        assert_refused(code, out, err, method)
        assert "no ballots" in err


# --- commonpot allocate solve ----------------------------------------------------------------

INSTANCE_MUST_FAIL = [*GENERIC, *JSON_DOCUMENT]
LITERALS = ("=nan", "=infinity", "=overflow", "=big_int", "=deep")


@pytest.mark.parametrize("case", INSTANCE_MUST_FAIL, ids=lambda c: c.name)
def test_allocate_refuses_bad_json(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.write(tmp_path, ".json")
    assert_refused(*run(capsys, "allocate", "solve", str(path), "--workers", "1"), case.name)


def _sample(cases: list[Case]) -> list[Case]:
    """Through the CLI: every position once, every wrong value once (the rest run in-process)."""
    seen_paths: set[str] = set()
    seen_values: set[str] = set()
    chosen = []
    for case in cases:
        path, value = case.name.rsplit("=", 1)
        if path not in seen_paths or value not in seen_values:
            chosen.append(case)
            seen_paths.add(path)
            seen_values.add(value)
    return chosen


def test_load_instance_wrong_types_everywhere_only_raise_invalid() -> None:
    from commonpot.errors import Invalid
    from commonpot.network.instance import load_instance

    cases = wrong_types(valid_instance())
    assert len(cases) > 300
    refused = 0
    for case in cases:
        detail = ""
        try:
            load_instance(case.data)
        except Invalid as exc:
            detail = exc.detail
        if detail:
            assert len(detail) < MAX_ERROR_LINE, case.name
            refused += 1
        else:
            assert not case.name.endswith(LITERALS), case.name
            assert ".quantity=" not in case.name, case.name
    assert refused > len(cases) * 0.8


def test_allocate_refuses_wrong_types_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _sample(wrong_types(valid_instance()))
    refused = 0
    for case in cases:
        path = case.write(tmp_path, ".json")
        code, out, err = run(capsys, "allocate", "solve", str(path), "--workers", "1")
        if case.name.endswith(LITERALS) or ".quantity=" in case.name:
            assert_refused(code, out, err, case.name)
        else:
            assert_clean(code, out, err, case.name)
        if code == 0:
            json.loads(out, parse_constant=_no_constants)
        refused += code == 2
    assert refused > len(cases) * 0.8


def test_allocate_refuses_huge_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = huge_file().write(tmp_path, ".json")
    assert_refused(*run(capsys, "allocate", "solve", str(path)), "huge")


def test_allocate_1e308_priority_never_prints_nan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = valid_instance()
    instance["needs"][1]["priority"] = 1e308
    path = tmp_path / "i.json"
    path.write_text(json.dumps(instance))
    code, out, err = run(capsys, "allocate", "solve", str(path), "--workers", "1")
    assert_refused(code, out, err, "priority")
    assert "needs[1].priority" in err


# --- commonpot recipes parse | import --------------------------------------------------------

RECIPE_MUST_FAIL = [
    *GENERIC,
    *JSON_DOCUMENT,
    Case("html_deep", html_with(b"[" * DEEP + b"]" * DEEP)),
    Case("html_nan", html_with(b'{"@type": "Recipe", "name": "x", "recipeYield": NaN}')),
    Case("html_big_int", html_with(b'{"@type": "Recipe", "name": "x", "y": ' + b"9" * 5000 + b"}")),
]


@pytest.mark.parametrize("case", RECIPE_MUST_FAIL, ids=lambda c: c.name)
def test_recipes_parse_refuses_bad_files(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.write(tmp_path, ".json")
    assert_refused(*run(capsys, "recipes", "parse", str(path)), case.name)


def test_parse_recipe_wrong_types_everywhere_only_raise_domain_errors() -> None:
    from commonpot.errors import DomainError
    from commonpot.recipes.jsonld import parse_recipe

    for case in wrong_types(valid_recipe(), skip=("@context",)):
        detail, parsed = "", None
        try:
            parsed = parse_recipe(case.data)
        except DomainError as exc:
            detail = exc.detail
        assert len(detail) < MAX_ERROR_LINE, case.name
        if parsed is not None:
            assert not case.name.endswith(LITERALS), case.name
            json.dumps(parsed, allow_nan=False)


def test_recipes_parse_survives_wrong_types_and_huge_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [*_sample(wrong_types(valid_recipe(), skip=("@context",))), *RECIPE_NUMBERS]
    for case in cases:
        path = case.write(tmp_path, ".json")
        code, out, err = run(capsys, "recipes", "parse", str(path))
        if case.name.endswith(LITERALS):
            assert_refused(code, out, err, case.name)
        else:
            assert_clean(code, out, err, case.name)
        if code == 0:
            parsed = json.loads(out, parse_constant=_no_constants)
            assert BIG_INT not in json.dumps(parsed.get("totalTime", "")), case.name


def test_recipes_parse_refuses_huge_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_refused(*run(capsys, "recipes", "parse", str(huge_file().write(tmp_path, ".html"))), "")


@pytest.fixture
def cli_db(db: Database, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", db_url)
    get_settings.cache_clear()
    make_world(db)
    yield db
    get_settings.cache_clear()


def _recipes(db: Database) -> int:
    with db.unit_of_work(write=False) as session:
        return int(session.scalar(select(func.count(Recipe.id))) or 0)


IMPORT_MUST_FAIL = [c for c in RECIPE_MUST_FAIL if c.name not in {"latin1"}] + [
    Case(name, data)
    for name, data in [
        ("ld_nan", b'{"@type": "Recipe", "name": "x", "recipeYield": NaN}'),
        ("ld_overflow", b'{"@type": "Recipe", "name": "x", "recipeYield": 1e309}'),
    ]
]


def test_recipes_import_refuses_bad_files_and_stores_nothing(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(valid_recipe()))
    for case in [*IMPORT_MUST_FAIL, huge_file()]:
        bad = case.write(tmp_path, ".json")
        code, out, err = run(
            capsys, "recipes", "import", str(good), str(bad), "--community", "publicville"
        )
        assert_refused(code, out, err, case.name)
        assert _recipes(cli_db) == 0, case.name


def test_recipes_import_huge_numbers_store_sane_values(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for case in RECIPE_NUMBERS:
        path = case.write(tmp_path, ".json")
        code, out, err = run(capsys, "recipes", "import", str(path), "--community", "publicville")
        assert_clean(code, out, err, case.name)
    with cli_db.unit_of_work(write=False) as session:
        for recipe in session.scalars(select(Recipe)):
            assert recipe.servings is None or recipe.servings <= 10_000
            for seconds in (recipe.prep_time, recipe.cook_time, recipe.total_time):
                assert seconds is None or (isinstance(seconds, str) and len(seconds) < 40)


# --- commonpot ecology diversity | impact ----------------------------------------------------

COUNTS_CASES = [
    *GENERIC,
    *csv_cases("sample,a", "x,1", [(n, f"x,{v}") for n, v in BAD_NUMBERS]),
    Case("species_200k", ("sample," + "y" * 200_000 + "\nx,1\n").encode()),
]


@pytest.mark.parametrize("case", COUNTS_CASES, ids=lambda c: c.name)
def test_ecology_refuses_bad_counts(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = case.write(tmp_path, ".csv")
    good = tmp_path / "good.csv"
    good.write_text("sample,a,b\nx,1,2\n")
    assert_refused(*run(capsys, "ecology", "diversity", str(bad), "--json"), case.name)
    assert_refused(*run(capsys, "ecology", "impact", str(good), str(bad), "--json"), case.name)
    assert_refused(*run(capsys, "ecology", "impact", str(bad), str(good)), case.name)


def test_ecology_refuses_huge_counts_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = huge_file().write(tmp_path, ".csv")
    assert_refused(*run(capsys, "ecology", "diversity", str(path)), "huge")


def test_ecology_big_but_finite_counts_print_finite_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.csv"
    path.write_text("sample,a,b\nx,1e12,1e12\ny,1e12,1\n")
    code, out, err = run(capsys, "ecology", "diversity", str(path), "--json")
    assert code == 0, err
    json.loads(out, parse_constant=_no_constants)


# --- commonpot vote sign ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "ballot",
    ["[" * DEEP + "]" * DEEP, '{"choice": NaN}', '{"n": ' + BIG_INT + "}", '{"n": 1e309}', "{"],
)
def test_vote_sign_refuses_bad_ballot_json(
    ballot: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "key.pem"
    assert run(capsys, "vote", "keygen", "--out", str(key))[0] == 0
    args = ["vote", "sign", "--key", str(key), "--community", "c", "--proposal", "1"]
    code, out, err = run(capsys, *args, "--action-hash", "ab", "--ballot", ballot)
    assert_refused(code, out, err, ballot[:20])


@pytest.mark.parametrize("case", [*GENERIC, huge_file()], ids=lambda c: c.name)
def test_vote_sign_refuses_bad_key_files(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = case.write(tmp_path, ".pem")
    args = ["vote", "sign", "--key", str(key), "--community", "c", "--proposal", "1"]
    code, out, err = run(capsys, *args, "--action-hash", "ab", "--ballot", '{"choice": "yes"}')
    assert_refused(code, out, err, case.name)


def test_an_output_file_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(valid_instance()))
    missing = tmp_path / "no" / "such" / "plan.json"
    code, out, err = run(capsys, "allocate", "solve", str(instance), "--out", str(missing))
    assert_refused(code, out, err, "--out into a missing folder")
    assert str(missing) in err and not missing.exists()


@pytest.mark.parametrize("share", ["nan", "-1", "1", "inf"])
def test_a_token_share_that_would_switch_the_gaming_check_off_is_refused(
    share: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    before.write_text("sample,a,b,c\ns1,100,0,0\n")
    after.write_text("sample,a,b,c\ns1,100,0.1,0.1\n")
    code, out, err = run(
        capsys, "ecology", "impact", str(before), str(after), f"--token-share={share}"
    )
    assert_refused(code, out, err, f"--token-share {share}")
    assert "token_share" in err

"""`commonpot tally`: JSON output per spec, human output, and exit 2 on malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commonpot.cli import main
from tests.factories.governance import BURLINGTON


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_tally_burlington_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["tally", "--method", "irv", str(BURLINGTON), "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"method", "winners", "rounds", "tie_break_seed"}
    assert result["winners"] == ["Bob Kiss"]
    assert result["rounds"][-1] == {
        "counts": {"Bob Kiss": 4313, "Kurt Wright": 4061},
        "exhausted": 606,
        "eliminated": [],
    }


def test_tally_schulze_and_plurality(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["tally", "-m", "schulze", str(BURLINGTON), "--json"], capsys)
    assert json.loads(out)["winners"] == ["Andy Montroll"]
    _, out, _ = _run(["tally", "-m", "plurality", str(BURLINGTON)], capsys)
    assert out.strip().endswith("winners: Kurt Wright")


def test_tally_human_output_lists_rounds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["tally", "--method", "irv", str(BURLINGTON)], capsys)
    assert code == 0
    assert "round 1: Kurt Wright 2,951, Bob Kiss 2,585" in out
    assert "eliminated James Simpson" in out


def test_tally_human_output_reads_in_the_command_lines_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "es")
    code, out, _ = _run(["tally", "--method", "irv", str(BURLINGTON)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "método: irv"
    assert lines[1].startswith("ronda 1: Kurt Wright 2.951, Bob Kiss 2.585, Andy Montroll 2.063")
    assert lines[1].endswith("; agotadas 4; eliminados James Simpson")
    assert lines[-1] == "ganadores: Bob Kiss"
    # the JSON scripts read is the same in every language
    _, as_json, _ = _run(["tally", "--method", "irv", str(BURLINGTON), "--json"], capsys)
    monkeypatch.setenv("LANGUAGE", "en")
    _, english_json, _ = _run(["tally", "--method", "irv", str(BURLINGTON), "--json"], capsys)
    assert as_json == english_json and json.loads(as_json)["winners"] == ["Bob Kiss"]
    # a majority vote's options and its details are words of the language too
    votes = tmp_path / "v.csv"
    votes.write_text("yes\nyes\nno\nabstain\n", encoding="utf-8")
    monkeypatch.setenv("LANGUAGE", "es")
    code, out, _ = _run(["tally", "-m", "majority", str(votes), "--quorum", "1/2"], capsys)
    assert code == 0
    assert "ronda 1: sí 2, no 1, abstención 1; agotadas 0" in out
    assert "quórum alcanzado: sí" in out and "aprobada: sí" in out
    assert out.splitlines()[-1] == "ganadores: sí"


def test_stv_csv_with_seats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ballots = tmp_path / "b.csv"
    ballots.write_text("A>B\n" * 6 + "C\n" * 2 + "B\n", encoding="utf-8")
    code, out, _ = _run(["tally", "-m", "stv", str(ballots), "--seats", "2", "--json"], capsys)
    assert code == 0
    assert json.loads(out)["winners"] == ["A", "B"]


def test_majority_and_quadratic_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    votes = tmp_path / "v.csv"
    votes.write_text("yes\nyes\nno\nabstain\n", encoding="utf-8")
    args = ["tally", "-m", "majority", str(votes), "--json", "--threshold", "2/3", "--at-least"]
    _, out, _ = _run(args, capsys)
    assert json.loads(out)["passed"] is True
    _, out, _ = _run([*args[:-1], "--quorum", "1/2", "--eligible", "10"], capsys)
    assert json.loads(out)["passed"] is False
    quad = tmp_path / "q.csv"
    quad.write_text("A=9;B=16\nA=16\n", encoding="utf-8")
    _, out, _ = _run(["tally", "-m", "quadratic", str(quad), "--json"], capsys)
    assert json.loads(out)["rounds"][0]["counts"] == {"A": 7, "B": 4}


@pytest.mark.parametrize(
    ("name", "text", "method", "message"),
    [
        ("bad.csv", "A>B\nB>>A\n", "irv", "line 2: empty candidate name"),
        ("bad.toi", "# ALTERNATIVE NAME 1: A\n1: 1\n1: 2\n", "irv", "line 3: unknown alternative"),
        ("ok.csv", "A\n", "dictator", "unknown method"),
        ("v.csv", "yes\n", "majority --threshold x", "threshold"),
    ],
)
def test_malformed_input_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    method: str,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    parts = method.split()
    code, out, err = _run(["tally", "--method", parts[0], str(path), *parts[1:]], capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["tally", "-m", "irv", str(tmp_path / "none.csv")], capsys)
    assert code == 2
    assert "cannot read" in err


def test_vote_keygen_and_sign_make_a_verifiable_signature(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from commonpot.governance.signing import verify_vote, vote_message

    key = tmp_path / "me.pem"
    code, public, _ = _run(["vote", "keygen", "--out", str(key)], capsys)
    assert code == 0
    args = ["vote", "sign", "--key", str(key), "--community", "riverside", "--proposal", "3"]
    args += ["--action-hash", "ab" * 32, "--ballot", '{"choice": "yes"}']
    code, signature, _ = _run(args, capsys)
    assert code == 0
    message = vote_message("riverside", 3, "ab" * 32, {"choice": "yes"})
    assert verify_vote(public.strip(), signature.strip(), message)
    assert not verify_vote(public.strip(), signature.strip(), message + b" ")
    code, _, err = _run(["vote", "keygen", "--out", str(key)], capsys)
    assert code == 2
    assert "refusing" in err


def test_vote_sign_with_a_salt_signs_the_sealed_commitment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from commonpot.governance.recount import commitment
    from commonpot.governance.signing import commit_message, verify_vote

    key = tmp_path / "me.pem"
    _, public, _ = _run(["vote", "keygen", "--out", str(key)], capsys)
    salt = "5a" * 32
    args = ["vote", "sign", "--key", str(key), "--community", "riverside", "--proposal", "3"]
    args += ["--action-hash", "ab" * 32, "--ballot", '{"choice": "yes"}', "--salt", salt]
    code, signature, _ = _run(args, capsys)
    assert code == 0
    sealed = commitment("riverside", 3, {"choice": "yes"}, salt)
    message = commit_message("riverside", 3, "ab" * 32, sealed)
    assert verify_vote(public.strip(), signature.strip(), message)
    code, _, err = _run([*args[:-1], "not-a-salt"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "salt" in err

"""`commonpot ecology diversity|impact` through the root CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commonpot.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def counts(tmp_path: Path) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text("sample,Zea mays,Phaseolus,Cucurbita\nA,2,1,1\nB,0,0,0\n", encoding="utf-8")
    return path


def test_diversity_json_follows_the_spec(counts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ecology", "diversity", str(counts), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["alpha"]["A"]["richness"] == 3
    assert data["alpha"]["A"]["chao1"] == pytest.approx(3.5)
    assert data["alpha"]["B"]["shannon"] is None
    assert data["beta"]["jaccard"]["samples"] == ["A", "B"]
    assert data["partition"]["q"] == 1


def test_diversity_table(counts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ecology", "diversity", str(counts)], capsys)
    assert code == 0
    assert "hill_1" in out and "gamma" in out


def test_malformed_file_exits_2_naming_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sample,Zea mays\nA,1\nB,2\nC,lots\n", encoding="utf-8")
    code, out, err = run(["ecology", "diversity", str(bad)], capsys)
    assert code == 2
    assert 'row 4, column "Zea mays": not a number' in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ecology", "diversity", str(tmp_path / "nope.csv")], capsys)
    assert code == 2
    assert "no such file" in err


def test_impact_flags_a_gamed_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tmp_path / "before.csv"
    after = tmp_path / "after.csv"
    before.write_text("sample,a,b\nA,10,10\n", encoding="utf-8")
    after.write_text("sample,a,b,c\nA,100,10,0.1\n", encoding="utf-8")
    code, out, _ = run(["ecology", "impact", str(before), str(after), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["gamed"] is True
    assert {f["kind"] for f in data["flags"]} >= {"richness_up_evenness_down", "token_species"}
    code, out, _ = run(["ecology", "impact", str(before), str(after)], capsys)
    assert code == 0
    assert "looks gamed" in out

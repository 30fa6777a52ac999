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


def _spanish(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "es_ES.UTF-8")


def test_impact_speaks_the_locale_of_the_command_line_and_keeps_its_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonpot.i18n import Reader

    before = tmp_path / "before.csv"
    after = tmp_path / "after.csv"
    before.write_text("sample,a,b\nA,10,10\n", encoding="utf-8")
    after.write_text("sample,a,b,c\nA,100,10,0.1\n", encoding="utf-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    _, english, _ = run(["ecology", "impact", str(before), str(after)], capsys)
    _, english_json, _ = run(["ecology", "impact", str(before), str(after), "--json"], capsys)
    _spanish(monkeypatch)
    code, spanish, _ = run(["ecology", "impact", str(before), str(after)], capsys)
    assert code == 0
    es = Reader("es")
    warning = es.gettext("Warning: this change looks gamed")
    assert warning != "Warning: this change looks gamed"
    assert warning + ":" in spanish and "looks gamed" not in spanish
    assert "Warning: this change looks gamed:" in english
    flags = [line for line in spanish.splitlines() if line.startswith("- ")]
    english_flags = [line for line in english.splitlines() if line.startswith("- ")]
    assert len(flags) == len(english_flags) == 3
    # the same figures, worded in Spanish (decimal comma), nothing left in English
    token = es.ngettext(
        "%(place)s: %(num)s newly listed crop (%(names)s) takes up only %(share)s %% of the space.",
        "%(place)s: %(num)s newly listed crops (%(names)s) together take up only "
        "%(share)s %% of the space.",
        1,
    ) % {"place": "A", "num": "1", "names": "c", "share": es.number(0.1 / 110.1 * 100, 1)}
    assert any(line.startswith(f"- {token}") for line in flags), flags
    assert any("newly listed crop" in line for line in english_flags)
    assert not any("newly listed" in line or "effective" in line for line in flags)
    # the JSON a program reads is the same, byte for byte
    _, spanish_json, _ = run(["ecology", "impact", str(before), str(after), "--json"], capsys)
    assert spanish_json == english_json


def test_a_refusal_names_its_field_and_reads_in_the_locale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonpot.i18n import Reader

    bad = tmp_path / "bad.csv"
    bad.write_text("sample,Zea mays\nA,1\n", encoding="utf-8")
    _spanish(monkeypatch)
    code, _, err = run(["ecology", "impact", str(bad), str(tmp_path / "nope.csv")], capsys)
    assert code == 2
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1
    es = Reader("es")
    msgid = "%(where)scannot read %(path)s: no such file"
    assert es.gettext(msgid) != msgid
    missing = es.gettext(msgid) % {"where": "", "path": tmp_path / "nope.csv"}
    assert err.strip().endswith(missing), err

"""`commonpot allocate solve` through the root CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commonpot.cli import main

INSTANCE = {
    "offers": [{"id": "o1", "category": "veg", "quantity": 3, "lat": 52.0, "lon": 5.0}],
    "needs": [
        {"id": "n1", "category": "veg", "quantity": 2, "lat": 52.01, "lon": 5.0},
        {"id": "n2", "category": "veg", "quantity": 2, "lat": 52.02, "lon": 5.0, "group": "g"},
    ],
}


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
        raise SystemExit(0)
    return int(info.value.code or 0)


def test_solve_writes_plan(tmp_path: Path) -> None:
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(INSTANCE))
    out = tmp_path / "plan.json"
    assert run(["allocate", "solve", str(src), "--out", str(out)]) == 0
    plan = json.loads(out.read_text())
    assert sum(a["quantity"] for a in plan["assignments"]) == 3
    assert plan["metrics"]["total_allocated"] == 3
    assert set(plan["metrics"]["fill_rate_by_group"]) == {"default", "g"}


def test_solve_prints_plan_with_explain_and_objective(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(INSTANCE))
    argv = ["allocate", "solve", str(src), "--explain", "n2", "--objective", "fcfs"]
    assert run(argv) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["objective_name"] == "fcfs"
    assert [(a["need"], a["quantity"]) for a in plan["assignments"]] == [("n1", 2), ("n2", 1)]
    assert plan["explain"]["need"] == "n2"
    assert plan["explain"]["received"] == 1


def test_malformed_instance_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = json.loads(json.dumps(INSTANCE))
    bad["needs"][1]["quantity"] = 0
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(bad))
    assert run(["allocate", "solve", str(src)]) == 2
    err = capsys.readouterr().err
    assert err == "error: needs[1].quantity: must be a positive integer\n"


def test_unknown_objective_and_missing_file_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(INSTANCE))
    assert run(["allocate", "solve", str(src), "--objective", "best"]) == 2
    assert "--objective: must be one of default, min-fill, fcfs" in capsys.readouterr().err
    assert run(["allocate", "solve", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err

"""Readings per the telemetry spec: formats, ranges, rejections with reasons; the CLI's assess."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commonpot.biotumblers.broker import acl_lines, password_line
from commonpot.biotumblers.downsample import downsample, width_for
from commonpot.biotumblers.readings import BadReading, parse_message, parse_reading
from commonpot.cli import main
from tests.factories.biotumblers import T0, series

GOOD = {"t": "2026-12-04T10:00:00Z", "temperature_c": {"core": 57.2, "edge": 54.9}}


def test_mixed_time_formats_mean_the_same_moment() -> None:
    moment = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    ms = int(moment.timestamp() * 1000)
    for t in ("2026-12-04T10:00:00Z", "2026-12-04T11:00:00+01:00", "2026-12-04t10:00:00.000z", ms):
        assert parse_reading({**GOOD, "t": t}).t == moment
    assert parse_reading({**GOOD, "t": "2026-12-04T10:00:00.123456789Z"}).t.microsecond == 123456


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({**GOOD, "t": "2026-12-04T10:00:00"}, "t"),  # no offset
        ({**GOOD, "t": "2026-12-04"}, "t"),
        ({**GOOD, "t": 1.5e12}, "t"),
        ({**GOOD, "t": True}, "t"),
        ({"temperature_c": {"core": 50}}, "t"),
        ({**GOOD, "temperature_c": {"core": 100.01}}, "temperature_c.core"),
        ({**GOOD, "temperature_c": {"core": -40.5}}, "temperature_c.core"),
        ({**GOOD, "temperature_c": {"core": math.nan}}, "temperature_c.core"),
        ({**GOOD, "temperature_c": {"core": "57"}}, "temperature_c.core"),
        ({**GOOD, "temperature_c": {"Core": 57}}, "temperature_c"),
        ({**GOOD, "temperature_c": {}}, "temperature_c"),
        ({"t": GOOD["t"]}, "temperature_c"),
        ({**GOOD, "moisture_pct": 100.5}, "moisture_pct"),
        ({**GOOD, "oxygen_pct": 25.1}, "oxygen_pct"),
        ({**GOOD, "turned": "yes"}, "turned"),
        ({**GOOD, "humidity": 3}, "humidity"),
        ([GOOD], "reading"),
    ],
)
def test_bad_readings_say_why(raw: object, field: str) -> None:
    with pytest.raises(BadReading) as info:
        parse_reading(raw)
    assert str(info.value).startswith(field)


def test_boundaries_are_inclusive() -> None:
    r = parse_reading(
        {"t": 0, "temperature_c": {"a": -40, "b": 100}, "moisture_pct": 0, "oxygen_pct": 25}
    )
    assert (r.cold, r.hot, r.moisture_pct, r.oxygen_pct) == (-40.0, 100.0, 0.0, 25.0)
    assert parse_reading({"t": 0, "moisture_pct": 100}).temperature_c == {}


def test_a_message_keeps_good_readings_and_lists_bad_ones() -> None:
    good, bad = parse_message([GOOD, {"t": "x"}, {**GOOD, "t": 1}, 7])
    assert len(good) == 2
    assert [(b.index, b.reason.split(":")[0]) for b in bad] == [(1, "t"), (3, "reading")]
    good, bad = parse_message(GOOD)
    assert len(good) == 1
    assert bad == []
    with pytest.raises(BadReading):
        parse_message([GOOD] * 10_001)


def test_downsample_min_avg_max_and_width() -> None:
    found = series([10, 20, 30, 40, 50, 60, 70])  # every 10 minutes from T0
    hourly = downsample(found, timedelta(hours=1))
    assert [b.start for b in hourly] == [T0, T0 + timedelta(hours=1)]
    stat = hourly[0].probes["core"]
    assert (stat.low, stat.mean, stat.high, stat.count) == (10, 35, 60, 6)
    assert len(downsample(found, timedelta(minutes=1))) == 7
    assert width_for(timedelta(hours=6)) == timedelta(minutes=1)
    assert width_for(timedelta(days=90)) == timedelta(hours=6)


def test_broker_config_lines() -> None:
    line = password_line("riverside.t1", "secret", salt=b"0123456789ab")
    user, rest = line.split(":", 1)
    assert user == "riverside.t1"
    assert rest.startswith("$7$101$")
    assert "topic write commonpot/riverside/biotumblers/t1/data" in acl_lines("riverside", "t1")


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
        raise SystemExit(0)
    return int(info.value.code or 0)


def _lines(rows: list[dict[str, object]]) -> str:
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def test_cli_assess_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows: list[dict[str, object]] = []
    for i in range(0, 73 * 60 + 1, 30):
        moment = int(T0.timestamp() * 1000) + i * 60_000
        rows.append({"device": "t1", "t": moment, "temperature_c": {"core": 60, "edge": 56}})
    rows.append({"device": "t1", "t": rows[0]["t"], "temperature_c": {"core": 60, "edge": 56}})
    rows.append({"device": "t2", "t": "2026-11-01T00:00:00Z", "temperature_c": {"core": 101}})
    rows.append({"device": "t2", "t": "2026-11-01T00:10:00Z", "moisture_pct": 30})
    path = tmp_path / "r.ndjson"
    path.write_text(_lines(rows))
    assert run(["biotumbler", "assess", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    one = out["devices"]["t1"]
    assert one["readings"] == 73 * 2 + 1  # the duplicate counted once
    assert one["sanitised"] is True
    assert one["sanitised_at"] == "2026-11-04T00:00:00Z"
    assert one["longest_hot_hours"] == 73.0
    assert one["phase"] == "thermophilic"
    two = out["devices"]["t2"]
    assert (two["readings"], two["rejected"], two["sanitised_at"]) == (1, 1, None)
    assert two["alerts"] == [
        {"kind": "moisture_low", "level": "warn", "from": "2026-11-01T00:10:00Z", "to": None}
    ]


def test_cli_assess_max_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        {"device": "t", "t": f"2026-11-0{1 + d}T{h:02d}:00:00Z", "temperature_c": {"c": 60}}
        for d in range(4)
        for h in range(24)
    ]
    path = tmp_path / "r.ndjson"
    path.write_text(_lines(rows))
    assert run(["biotumbler", "assess", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["devices"]["t"]["sanitised"] is False
    assert run(["biotumbler", "assess", str(path), "--max-gap-minutes", "60", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["devices"]["t"]["sanitised"] is True


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("not json", "line 2: not JSON"),
        ('{"t": 0, "temperature_c": {"c": 1}}', "line 2: no device"),
        ('{"device": "a", "temperature_c": {"c": 1}}', "line 2: no t"),
    ],
)
def test_cli_assess_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, expected: str
) -> None:
    path = tmp_path / "r.ndjson"
    path.write_text('{"device": "a", "t": 0, "temperature_c": {"c": 1}}\n' + line + "\n")
    assert run(["biotumbler", "assess", str(path), "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {expected}"]
